/*
 * util/threads.h - how many threads a stage runs: one rule for --threads in every command
 * (issue 18: crosscheck, normalize and dedup each asked sysconf their own way, and
 * crosscheck did not take --threads at all).
 *
 * --threads N is the threads of a stage in all, the calling thread included; 0 (not
 * given) is the cores this process may use: sched_getaffinity (taskset, a container's
 * cpuset), else the processors online (sysconf).  Results never depend on it.
 * Not for: starting threads (each stage's pool, the relay in relay.h).
 */
#ifndef DC_UTIL_THREADS_H
#define DC_UTIL_THREADS_H

/* requested (--threads, 0 = the machine's) clamped to 1..max. */
int dc_threads(int requested, int max);

#endif
