/*
 * util/threads.c - the thread count of a stage (threads.h).
 * Not for: the pools themselves.
 */
#include "util/threads.h"

#include <sched.h>
#include <unistd.h>

int
dc_threads(int requested, int max)
{
    long n = requested;

    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef __linux__
        cpu_set_t set; /* the cores this process may use */
        if (sched_getaffinity(0, sizeof set, &set) == 0)
            n = CPU_COUNT(&set);
#endif
    }
    if (max < 1)
        max = 1;
    return n < 1 ? 1 : n > max ? max : (int)n;
}
