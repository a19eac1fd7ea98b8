/* clock.h — the one monotonic clock, in seconds, for rates and progress. */
#ifndef WARDEN_CORE_CLOCK_H
#define WARDEN_CORE_CLOCK_H

double warden_now_s(void);

#endif
