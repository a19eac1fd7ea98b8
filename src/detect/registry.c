/* registry.c — the list of detectors. Adding a detector adds one line here. */
#include "detect/detector.h"

#include <string.h>

extern const struct warden_detector warden_detect_jurisdiction;
extern const struct warden_detector warden_detect_velocity;
extern const struct warden_detector warden_detect_screening;
extern const struct warden_detector warden_detect_distill;

const struct warden_detector *const warden_detectors[] = {
    &warden_detect_jurisdiction,
    &warden_detect_velocity,
    &warden_detect_screening,
    &warden_detect_distill,
};

const size_t warden_n_detectors = sizeof warden_detectors / sizeof warden_detectors[0];

int warden_detector_index(const char *name)
{
    for (size_t i = 0; i < warden_n_detectors; i++)
        if (strcmp(warden_detectors[i]->name, name) == 0) return (int)i;
    return -1;
}
