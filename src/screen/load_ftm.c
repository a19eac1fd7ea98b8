/* load_ftm.c — OpenSanctions / FollowTheMoney entities as JSON lines
 * ({"id", "schema", "properties": {...}, "target", "datasets"}). Party schemata
 * (Person, Company, Organization, LegalEntity, PublicBody, Vessel, Airplane)
 * become entities; `Ownership` entities (owner, asset, percentage) become
 * ownership relations between them, from which the 50 % rule marks assets
 * owned by listed parties; `Sanction` entities add their programme to the
 * sanctioned entity. An entity is listed when "target" is true, when its
 * topics include a sanction topic, or when the file gives neither. */
#include "screen/internal.h"

#include "core/error.h"
#include "core/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static enum warden_screen_kind schema_kind(const char *sc)
{
    if (!strcmp(sc, "Person")) return WARDEN_SCREEN_KIND_PERSON;
    if (!strcmp(sc, "Company") || !strcmp(sc, "Organization") || !strcmp(sc, "LegalEntity") ||
        !strcmp(sc, "PublicBody"))
        return WARDEN_SCREEN_KIND_ORG;
    if (!strcmp(sc, "Vessel")) return WARDEN_SCREEN_KIND_VESSEL;
    if (!strcmp(sc, "Airplane")) return WARDEN_SCREEN_KIND_AIRCRAFT;
    return (enum warden_screen_kind) - 1;
}

static const char *first_str(json_t *props, const char *key)
{
    json_t *a = json_object_get(props, key);
    json_t *v = json_is_array(a) ? json_array_get(a, 0) : a;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

typedef void (*each_fn)(struct warden_screen *s, uint32_t e, const char *v, const void *arg);

static void each(struct warden_screen *s, uint32_t e, json_t *props, const char *key, each_fn fn,
                 const void *arg)
{
    json_t *a = json_object_get(props, key);
    size_t i;
    json_t *v;
    if (json_is_string(a)) {
        fn(s, e, json_string_value(a), arg);
        return;
    }
    json_array_foreach(a, i, v) if (json_is_string(v)) fn(s, e, json_string_value(v), arg);
}

static void f_name(struct warden_screen *s, uint32_t e, const char *v, const void *arg)
{
    (void)arg;
    warden_screen_add_name(s, e, v, strlen(v));
}
static void f_country(struct warden_screen *s, uint32_t e, const char *v, const void *arg)
{
    (void)arg;
    warden_screen_add_country(s, e, v, strlen(v));
}
static void f_attr(struct warden_screen *s, uint32_t e, const char *v, const void *arg)
{
    const int *t = arg;
    warden_screen_add_attr(s, e, (enum warden_screen_attr_type) * t, v, strlen(v));
}
static void f_web(struct warden_screen *s, uint32_t e, const char *v, const void *arg)
{
    (void)arg;
    char buf[600];
    snprintf(buf, sizeof buf, "Website %s", v);
    warden_screen_parse_remarks(s, e, buf, strlen(buf));
}
static void f_id(struct warden_screen *s, uint32_t e, const char *v, const void *arg)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s: %s", (const char *)arg, v);
    warden_screen_add_attr(s, e, WARDEN_SCREEN_ATTR_ID, buf, strlen(buf));
}

static bool has_sanction_topic(json_t *props)
{
    json_t *a = json_object_get(props, "topics");
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (json_is_string(v) &&
                                    strncmp(json_string_value(v), "sanction", 8) == 0) return true;
    return false;
}

int warden_screen_load_ftm(struct warden_screen *s, const char *list, const char *path, char *err,
                           size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return WARDEN_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long ln = 0;
    static const char *const idkeys[] = {
        "registrationNumber", "taxNumber", "innCode",  "ogrnCode",       "leiCode",
        "idNumber",           "imoNumber", "swiftBic", "passportNumber", NULL};
    const int t_addr = WARDEN_SCREEN_ATTR_ADDRESS, t_mail = WARDEN_SCREEN_ATTR_EMAIL;
    while ((n = getline(&line, &cap, f)) >= 0) {
        ln++;
        if (n <= 1) continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)n, 0, &je);
        if (!o || !json_is_object(o)) {
            warden_warn("%s:%ld: not a JSON object (%s); skipped", path, ln, o ? "" : je.text);
            json_decref(o);
            continue;
        }
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *schema = json_string_value(json_object_get(o, "schema"));
        json_t *props = json_object_get(o, "properties");
        if (!id || !schema || !json_is_object(props)) {
            warden_warn("%s:%ld: entity needs id, schema and properties; skipped", path, ln);
            json_decref(o);
            continue;
        }
        if (!strcmp(schema, "Ownership")) {
            const char *ow = first_str(props, "owner"), *as = first_str(props, "asset");
            const char *pc = first_str(props, "percentage");
            if (!ow || !as) {
                warden_warn("%s:%ld: Ownership without owner or asset; skipped", path, ln);
            } else {
                double share = pc ? strtod(pc, NULL) : -1; /* unknown share */
                warden_screen_add_rel(s, list, ow, as, share);
            }
            json_decref(o);
            continue;
        }
        if (!strcmp(schema, "Sanction")) {
            const char *ent = first_str(props, "entity");
            const char *prog = first_str(props, "program");
            uint32_t e = ent ? warden_screen_find_entity(s, list, ent) : UINT32_MAX;
            if (e != UINT32_MAX) {
                s->ents[e].listed = true;
                if (prog && !*s->ents[e].program)
                    s->ents[e].program = warden_arena_strdup(&s->arena, prog);
            }
            json_decref(o);
            continue;
        }
        enum warden_screen_kind k = schema_kind(schema);
        if ((int)k < 0) {
            json_decref(o);
            continue; /* other schemata (Address, Directorship...) are not parties */
        }
        const char *prog = first_str(props, "program");
        uint32_t e = warden_screen_add_entity(s, list, id, k, prog ? prog : "");
        json_t *tg = json_object_get(o, "target");
        bool has_topics = json_object_get(props, "topics") != NULL;
        s->ents[e].listed =
            json_is_true(tg) || has_sanction_topic(props) || (!json_is_boolean(tg) && !has_topics);
        each(s, e, props, "name", f_name, NULL);
        each(s, e, props, "alias", f_name, NULL);
        each(s, e, props, "previousName", f_name, NULL);
        each(s, e, props, "weakAlias", f_name, NULL);
        static const char *const ckeys[] = {
            "country", "jurisdiction", "mainCountry", "nationality", "citizenship", "flag", NULL};
        for (int i = 0; ckeys[i]; i++) each(s, e, props, ckeys[i], f_country, NULL);
        each(s, e, props, "address", f_attr, &t_addr);
        each(s, e, props, "email", f_attr, &t_mail);
        each(s, e, props, "website", f_web, NULL);
        for (int i = 0; idkeys[i]; i++) each(s, e, props, idkeys[i], f_id, idkeys[i]);
        json_decref(o);
    }
    free(line);
    fclose(f);
    return 0;
}
