BEGIN;
INSERT INTO records VALUES (1, 'people', 1, NULL, 'Nguyễn Văn An', 'Nguyễn', 'Văn', 'An', '1990-03-05', 'day', 'M', '001090012345', NULL, NULL, '01', '001', '00001', '01', '00097', 'Số 5, ngõ "Hoa"', 'people.csv', 2, NULL, '2021-06-10', NULL, '1.00', NULL, NULL, 'Số 5, ngõ "Hoa", Phường Phúc Xá, Quận Ba Đình, Hà Nội', 'Thành phố Hà Nội', 'Quận Ba Đình', 'Phường Phúc Xá', 'Thành phố Hà Nội', 'Phường Hồng Hà', 'pre2025');
INSERT INTO records VALUES (2, 'people', 2, NULL, 'Trần Thị Bình', 'Trần', 'Thị', 'Bình', '1985', 'year', 'F', NULL, '012345678', NULL, NULL, NULL, NULL, NULL, NULL, 'Thôn 3 Xã Tân Lập\\Đội 2', 'people.csv', 3, NULL, NULL, NULL, '0.00', 'no-province', NULL, 'Thôn 3
Xã Tân Lập\\Đội 2', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO records VALUES (3, 'people', 3, NULL, 'Lê Văn Cường', 'Lê', 'Văn', 'Cường', '2001-12', 'month', 'M', '079201000123', NULL, NULL, '79', '760', NULL, '79', NULL, '12 Lê Lợi', 'people.csv', 5, NULL, NULL, NULL, '0.30', 'no-province', NULL, '12 Lê Lợi	Quận 1', 'Thành phố Hồ Chí Minh', 'Quận 1', NULL, 'Thành phố Hồ Chí Minh', NULL, 'pre2025');
INSERT INTO records VALUES (4, 'people', 4, NULL, 'Phạm Thị Dung', 'Phạm', 'Thị', 'Dung', '1950', 'year', 'F', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'people.csv', 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
COMMIT;
