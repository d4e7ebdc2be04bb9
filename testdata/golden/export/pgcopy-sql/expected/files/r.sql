BEGIN;
INSERT INTO records VALUES (1, 'people', 1, NULL, 'Nguyễn Văn An', 'Nguyễn', 'Văn', 'An', '1990-03-05', 'day', 'M', '001090012345', NULL, NULL, '01', NULL, NULL, '01', NULL, 'Số 5, ngõ "Hoa", Phường Phúc Xá, Quận Ba Đình', 'people.csv', 2, NULL, '2021-06-10', NULL, '0.33', 'no-ward', NULL);
INSERT INTO records VALUES (2, 'people', 2, NULL, 'Trần Thị Bình', 'Trần', 'Thị', 'Bình', '1985', 'year', 'F', NULL, '012345678', NULL, NULL, NULL, NULL, NULL, NULL, 'Thôn 3 Xã Tân Lập\\Đội 2', 'people.csv', 3, NULL, NULL, NULL, '0.00', 'no-province', NULL);
INSERT INTO records VALUES (3, 'people', 3, NULL, 'Lê Văn Cường', 'Lê', 'Văn', 'Cường', '2001-12', 'month', 'M', '079201000123', NULL, NULL, NULL, NULL, NULL, NULL, NULL, '12 Lê Lợi Quận 1', 'people.csv', 5, NULL, NULL, NULL, '0.00', 'no-province', NULL);
INSERT INTO records VALUES (4, 'people', 4, NULL, 'Phạm Thị Dung', 'Phạm', 'Thị', 'Dung', '1950', 'year', 'F', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'people.csv', 6, NULL, NULL, NULL, NULL, NULL, NULL);
COMMIT;
