/* corpus.c — loads the prompt corpora listed in the table below.
 *
 * Each record becomes one prompt: its instruction/question/prompt text, and,
 * when the record carries an input (Alpaca-style), the instruction followed
 * by a blank line and the input, as a user would paste it. */
#include "sim/corpus.h"
#include "core/error.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct corpus_def {
    const char *name;   /* used by --exclude-corpus */
    const char *subdir; /* under shared/data/prompts */
    const char *file;
    enum warden_corpus_kind kind;
    bool shipped; /* permissive licence: copied into data/prompts */
};

static const struct corpus_def corpora[] = {
    {"gpteacher_codegen", "machine", "gpteacher_codegen_instruct.json", WARDEN_CORPUS_MACHINE,
     true},
    {"alpaca_5000", "machine", "alpaca_5000.json", WARDEN_CORPUS_MACHINE, false},
    {"code_alpaca_2k", "machine", "code_alpaca_2k.json", WARDEN_CORPUS_MACHINE, false},
    {"gsm8k", "taskset", "gsm8k_train.jsonl", WARDEN_CORPUS_TASKSET, true},
    {"arena_hard", "organic", "arena-hard-v0.1_question.jsonl", WARDEN_CORPUS_ORGANIC, true},
    {"oasst_prompt_lottery", "organic", "oasst_prompt_lottery_en_250.jsonl", WARDEN_CORPUS_ORGANIC,
     true},
    {"selfinstruct_user_oriented", "organic", "selfinstruct_user_oriented_252.jsonl",
     WARDEN_CORPUS_ORGANIC, true},
    {"vicuna_question_80", "organic", "vicuna_question_80.jsonl", WARDEN_CORPUS_ORGANIC, true},
    {"alpaca_seed_tasks", "organic", "alpaca_seed_tasks.jsonl", WARDEN_CORPUS_ORGANIC, true},
    {"codealpaca_seed_tasks", "organic", "codealpaca_seed_tasks_21.jsonl", WARDEN_CORPUS_ORGANIC,
     true},
    {"instructionwild_en", "organic", "instructionwild_seed_en_part1.jsonl", WARDEN_CORPUS_ORGANIC,
     false},
    {"instructionwild_zh", "organic", "instructionwild_seed_zh_part1.jsonl",
     WARDEN_CORPUS_ORGANIC_ZH, false},
};

#define MAX_PROMPT_CHARS 6000

static bool excluded(const char *name, const char *const *ex, size_t nex)
{
    for (size_t i = 0; i < nex; i++)
        if (strncmp(name, ex[i], strlen(ex[i])) == 0 && ex[i][0]) return true;
    return false;
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *str_field(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void add_text(struct warden_corpus *c, enum warden_corpus_kind kind, unsigned src,
                     const char *a, const char *b)
{
    if (!a || !*a) return;
    char *s = (b && *b) ? warden_xasprintf("%s\n\n%s", a, b) : warden_xstrdup(a);
    if (strlen(s) > MAX_PROMPT_CHARS) {
        /* keep whole UTF-8 sequences */
        size_t n = MAX_PROMPT_CHARS;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
        s[n] = '\0';
    }
    if (c->nstrings == c->capstrings) {
        c->capstrings = c->capstrings ? c->capstrings * 2 : 1024;
        c->strings = warden_xrealloc(c->strings, c->capstrings * sizeof(char *));
    }
    c->strings[c->nstrings++] = s;
    c->items[kind] =
        warden_xrealloc(c->items[kind], (c->n[kind] + 1) * sizeof(struct warden_corpus_text));
    c->items[kind][c->n[kind]].text = s;
    c->items[kind][c->n[kind]].source = src;
    c->n[kind]++;
    c->source_n[src]++;
}

static void add_record(struct warden_corpus *c, enum warden_corpus_kind kind, unsigned src,
                       json_t *rec)
{
    if (json_is_string(rec)) {
        add_text(c, kind, src, json_string_value(rec), NULL);
        return;
    }
    if (!json_is_object(rec)) return;
    const char *t = str_field(rec, "prompt");
    if (!t) t = str_field(rec, "text");
    if (!t) t = str_field(rec, "question");
    if (t) {
        add_text(c, kind, src, t, NULL);
        return;
    }
    const char *ins = str_field(rec, "instruction");
    const char *in = str_field(rec, "input");
    if (!in) {
        json_t *inst = json_object_get(rec, "instances");
        if (json_is_array(inst) && json_array_size(inst) > 0)
            in = str_field(json_array_get(inst, 0), "input");
    }
    add_text(c, kind, src, ins, in);
}

static int load_file(struct warden_corpus *c, const struct corpus_def *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return WARDEN_EIO;
    unsigned src = c->nsources++;
    c->sources[src] = d->name;
    int first = fgetc(f);
    rewind(f);
    json_error_t err;
    if (first == '[') {
        json_t *arr = json_loadf(f, 0, &err);
        fclose(f);
        if (!json_is_array(arr)) {
            warden_warn("corpus %s: %s:%d: %s", d->name, path, err.line, err.text);
            json_decref(arr);
            return WARDEN_EPARSE;
        }
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) add_record(c, d->kind, src, v);
        json_decref(arr);
        return 0;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *v = json_loadb(line, (size_t)n, JSON_DECODE_ANY, &err);
        if (v) add_record(c, d->kind, src, v);
        json_decref(v);
    }
    free(line);
    fclose(f);
    return 0;
}

int warden_corpus_load(struct warden_corpus *c, const char *data_dir, const char *shared_dir,
                       const char *const *exclude, size_t nexclude)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < sizeof corpora / sizeof corpora[0]; i++) {
        const struct corpus_def *d = &corpora[i];
        if (excluded(d->name, exclude, nexclude)) continue;
        char *path = NULL;
        if (d->shipped && data_dir) {
            path = warden_xasprintf("%s/prompts/%s", data_dir, d->file);
            if (!file_exists(path)) {
                free(path);
                path = NULL;
            }
        }
        if (!path && shared_dir) {
            path = warden_xasprintf("%s/data/prompts/%s/%s", shared_dir, d->subdir, d->file);
            if (!file_exists(path)) {
                free(path);
                path = NULL;
            }
        }
        if (!path) {
            warden_debug("corpus %s: not found, skipped", d->name);
            continue;
        }
        int rc = load_file(c, d, path);
        if (rc < 0) warden_warn("corpus %s: cannot read %s", d->name, path);
        free(path);
    }
    if (c->n[WARDEN_CORPUS_ORGANIC] == 0 ||
        c->n[WARDEN_CORPUS_MACHINE] + c->n[WARDEN_CORPUS_TASKSET] == 0) {
        warden_err("prompt corpora: need at least one organic and one machine/taskset corpus "
                   "(looked in %s/prompts and %s/data/prompts)",
                   data_dir ? data_dir : "-", shared_dir ? shared_dir : "-");
        return WARDEN_ENOENT;
    }
    return 0;
}

void warden_corpus_fini(struct warden_corpus *c)
{
    for (size_t i = 0; i < c->nstrings; i++) free(c->strings[i]);
    free(c->strings);
    for (int k = 0; k < WARDEN_CORPUS_NKINDS; k++) free(c->items[k]);
    memset(c, 0, sizeof *c);
}
