/* tells.c — recall of the circumvention accounts by what each gives away of
 * where it really is (truth "tells", from `warden sim`): an account that
 * tunnels everything through an allowed country and pays from one may still
 * declare a restricted jurisdiction's zone, pay with its card, use its
 * national e-mail provider or keep its clock; one that does none of these
 * looks like anyone who pays and tunnels from an allowed country, and the
 * table shows how many of those there are and how many were actioned. */
#include "backtest/backtest.h"
#include "core/xalloc.h"

#include <string.h>

const char *const warden_bt_tell_class_names[WARDEN_BT_TELL_CLASSES] = {
    "zone, card or e-mail", "hours only", "locale only", "none"};

static int tell_class(int tells)
{
    if (tells & (WARDEN_BT_TELL_TZ | WARDEN_BT_TELL_CARD | WARDEN_BT_TELL_EMAIL)) return 0;
    if (tells & WARDEN_BT_TELL_HOURS) return 1;
    if (tells & WARDEN_BT_TELL_LOCALE) return 2;
    return 3;
}

void warden_bt_tells(const struct warden_bt_input *in, const struct warden_bt_verdict *const *v,
                     struct warden_bt_result *r)
{
    for (size_t i = 0; i < in->ntruth; i++) {
        const struct warden_bt_truth *t = &in->truth[i];
        if (t->tells < 0 || strcmp(t->label, "benign") == 0) continue;
        const char *kind = t->kind ? t->kind : t->label;
        size_t k = 0;
        while (k < r->ntells && strcmp(r->tells[k].kind, kind) != 0) k++;
        if (k == r->ntells) {
            r->tells = warden_xrealloc(r->tells, (r->ntells + 1) * sizeof *r->tells);
            memset(&r->tells[k], 0, sizeof r->tells[k]);
            r->tells[k].kind = (char *)kind;
            r->ntells++;
        }
        struct warden_bt_tell_row *row = &r->tells[k];
        int c = tell_class(t->tells);
        row->accounts[c]++;
        if (v[i] && v[i]->action >= WARDEN_BT_REVIEW) row->actioned[c]++;
        if (v[i] && v[i]->action >= WARDEN_BT_THROTTLE) row->enforced[c]++;
    }
    /* kinds in name order, so reports compare line by line */
    for (size_t a = 1; a < r->ntells; a++)
        for (size_t b = a; b > 0 && strcmp(r->tells[b - 1].kind, r->tells[b].kind) > 0; b--) {
            struct warden_bt_tell_row x = r->tells[b];
            r->tells[b] = r->tells[b - 1];
            r->tells[b - 1] = x;
        }
}
