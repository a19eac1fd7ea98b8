/* evidence.c — matches and ownership verdicts as JSON evidence objects, the
 * same for `warden screen --json` and for the findings the engine writes
 * (formats.md §5: evidence an analyst can check). */
#include "core/jbuf.h"
#include "screen/screen.h"

const char *warden_screen_kind_name(enum warden_screen_kind k)
{
    static const char *const n[] = {"unknown", "organisation", "person", "vessel", "aircraft"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "unknown";
}

void warden_screen_match_json(const struct warden_screen *s, const struct warden_screen_match *m,
                              struct warden_jbuf *b)
{
    const struct warden_screen_entity *e = m->entity;
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_num(b, "score", m->score);
    warden_jbuf_kv_bool(b, "match", m->is_match);
    warden_jbuf_kv_str(b, "list", e->list);
    warden_jbuf_kv_str(b, "source_id", e->source_id);
    warden_jbuf_kv_str(b, "program", e->program);
    warden_jbuf_kv_str(b, "kind", warden_screen_kind_name(e->kind));
    warden_jbuf_kv_str(b, "name", warden_screen_entity_name(s, e, 0));
    warden_jbuf_kv_str(b, "matched_name", m->matched_name);
    warden_jbuf_kv_bool(b, "listed", e->listed);
    if (warden_screen_review_only(s, e)) warden_jbuf_kv_bool(b, "review_program", true);
    if (!e->listed && e->owned_by_listed) {
        char ch[1024];
        warden_screen_entity_chain(s, e, ch, sizeof ch);
        warden_jbuf_kv_str(b, "owned_by_listed", ch);
    }
    warden_jbuf_key(b, "explain");
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "method", m->method);
    warden_jbuf_kv_num(b, "name_score", m->name_score);
    warden_jbuf_kv_str(b, "query_core", m->query_norm);
    warden_jbuf_kv_str(b, "listed_core", m->listed_norm);
    warden_jbuf_kv_str(b, "query_legal_form", m->query_legal);
    warden_jbuf_kv_str(b, "listed_legal_form", m->listed_legal);
    warden_jbuf_key(b, "tokens");
    warden_jbuf_arr_open(b);
    for (int i = 0; i < m->n_pairs; i++) {
        warden_jbuf_obj_open(b);
        warden_jbuf_kv_str(b, "query", m->pairs[i].query);
        warden_jbuf_kv_str(b, "listed", m->pairs[i].listed);
        warden_jbuf_kv_num(b, "sim", m->pairs[i].sim);
        warden_jbuf_kv_num(b, "weight", m->pairs[i].weight);
        warden_jbuf_obj_close(b);
    }
    warden_jbuf_arr_close(b);
    warden_jbuf_kv_num(b, "adj_legal_form", m->adj_legal);
    warden_jbuf_kv_num(b, "adj_country", m->adj_country);
    warden_jbuf_kv_num(b, "adj_domain", m->adj_domain);
    warden_jbuf_kv_num(b, "adj_id", m->adj_id);
    warden_jbuf_obj_close(b);
    warden_jbuf_obj_close(b);
}

void warden_screen_verdict_json(const struct warden_screen *s,
                                const struct warden_screen_ownership *o, size_t i,
                                struct warden_jbuf *b)
{
    const struct warden_screen_verdict *v = warden_screen_ownership_at(o, i);
    char chain[4096];
    warden_screen_ownership_chain(o, i, chain, sizeof chain);
    warden_jbuf_obj_open(b);
    warden_jbuf_kv_str(b, "org_id", v->org_id);
    warden_jbuf_kv_str(b, "name", v->name);
    warden_jbuf_kv_bool(b, "restricted", v->restricted);
    warden_jbuf_kv_str(b, "reason", warden_screen_verdict_code(v));
    warden_jbuf_kv_num(b, "restricted_share", v->restricted_share);
    if (v->has_match) {
        warden_jbuf_key(b, "match");
        warden_screen_match_json(s, &v->match, b);
    }
    if (!v->restricted && v->has_possible && !v->possibly_owned) {
        warden_jbuf_key(b, v->review_program ? "review_match" : "possible_match");
        warden_screen_match_json(s, &v->possible, b);
    }
    if (v->domain_entity) {
        warden_jbuf_kv_str(b, "domain_list", v->domain_entity->list);
        warden_jbuf_kv_str(b, "domain_source_id", v->domain_entity->source_id);
    }
    warden_jbuf_kv_str(b, "chain", v->restricted || v->possibly_owned ? chain : NULL);
    warden_jbuf_obj_close(b);
}
