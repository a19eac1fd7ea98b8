/* bench_loadgen.c — an open-loop, constant-rate HTTP/1.1 load generator for
 * measuring a server's latency at part load (`warden serve` at half its
 * peak, and nginx at the same rate as the machine's own baseline).
 *
 * Why not wrk: wrk is closed-loop. Each connection sends its next request
 * when the previous answer arrives, and its `delay()` hook only re-arms an
 * event-loop timer after each answer, so a capped wrk run holds no rate:
 * any stall (the server's, the machine's or wrk's own timer firing late)
 * lowers the rate instead of queueing requests, and the stall's cost is
 * never measured (coordinated omission). wrk2, which fixes this, is not in
 * Debian.
 *
 * What this does: C keep-alive connections (one epoll thread, no
 * pipelining); request j of the run is due at start + j / R and belongs to
 * connection j mod C, so the target rate R is spread evenly across them.
 * A request is sent at its due time, or as soon as its connection is free
 * when the previous answer came late. Each request's latency is measured
 * twice: from its intended send time (coordinated-omission corrected, as
 * wrk2 does: a late answer also delays the requests queued behind it, and
 * that wait counts) and from the moment it was actually written
 * (uncorrected, what a closed-loop client reports). Every latency is kept,
 * so p50/p90/p99/p99.9/max are exact (nearest rank), not bucketed.
 *
 * It reports the achieved rate, responses by class, errors by kind, and its
 * own shortfall: how late it sent requests whose connection was free (its
 * scheduling lag) and the CPU it used per request, so a run where the
 * generator, not the server, was the bottleneck can be told apart.
 *
 * Responses are parsed as HTTP/1.1 defines them: status line, headers,
 * then a body delimited by Content-Length, by chunked transfer coding
 * (chunk extensions and trailers allowed), by the connection's close, or
 * none (1xx interim, 204, 304). `Connection: close` answers are followed by
 * a reconnect. Bytes arriving that belong to no request are an error.
 *
 *   bench_loadgen -r RATE -c CONNS -d SECONDS [-w WARMUP_S] [-t TIMEOUT_S]
 *                 [-m METHOD] [-b BODY_FILE | --decide SALT [--first N]]
 *                 [-H 'Name: value']... http://HOST:PORT/PATH
 *
 * --decide SALT sends POST bodies shaped as bench/decide.lua makes them: a
 * fresh event per request (distinct request ids carrying SALT, 1000
 * accounts in turn, event time advancing), so `warden serve` runs every
 * detector instead of answering a duplicate; --first N starts at decide.lua's
 * N-th event, so a run after a wrk run of N-1 requests goes on in event time
 * (an event older than the server's watermark is decided as late, which
 * skips windowed state and would be cheaper). The last line of the output
 * is `loadgen_result key=value ...` for scripts. Exit status 0 when every
 * scheduled request got a response, 1 otherwise, 2 on bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define LINE_MAX_BYTES 8192
#define NS 1000000000LL

enum pstate {
    P_IDLE,
    P_STATUS,
    P_HEADER,
    P_BODY_LEN,
    P_CHUNK_SIZE,
    P_CHUNK_DATA,
    P_CHUNK_END,
    P_TRAILER,
    P_BODY_EOF
};

struct conn {
    int fd;
    bool busy;       /* a request is in flight */
    uint64_t next;   /* global index of this connection's next request */
    uint64_t cur;    /* index of the request in flight */
    int64_t due;     /* its intended send time */
    int64_t sent;    /* when its first byte was written */
    int64_t free_at; /* when the connection last became free */
    char *wbuf;      /* the request being written */
    size_t wlen, woff;
    bool want_out;
    /* response parser */
    enum pstate ps;
    char line[LINE_MAX_BYTES];
    size_t llen;
    uint64_t remain;
    int status;
    bool chunked, has_len, close_after;
};

struct stats {
    uint64_t responses, ok, non2xx, err_connect, err_io, err_parse, err_timeout, unfinished,
        reconnects, measured, body_bytes;
    int64_t *lat_corr, *lat_raw, *lag; /* ns, one per measured response */
    int64_t last_done;
};

struct lg {
    const char *host, *port, *path, *method, *salt;
    char hostport[300];
    double rate, dur, warmup, timeout;
    int conns;
    uint64_t first; /* --decide: number of the first event (decide.lua's n) */
    char *body;     /* fixed body, or NULL */
    size_t body_len;
    size_t wcap;      /* request buffer size */
    bool head;        /* HEAD requests: answers carry no body */
    char extra[4096]; /* extra header lines, each ending CRLF */
    struct addrinfo *ai;
    int ep;
    int64_t t0;
    uint64_t total; /* requests scheduled */
    struct conn *c;
    struct stats st;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static int64_t due_of(const struct lg *g, uint64_t j)
{
    return g->t0 + (int64_t)((double)j * 1e9 / g->rate);
}

static void die(const char *msg)
{
    fprintf(stderr, "bench_loadgen: %s\n", msg);
    exit(2);
}

/* ---- connections ---- */

static int conn_open(struct lg *g, struct conn *c)
{
    int fd = socket(g->ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, g->ai->ai_addr, g->ai->ai_addrlen) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->want_out = false;
    c->ps = P_IDLE;
    c->free_at = now_ns();
    return 0;
}

static void conn_close(struct lg *g, struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->busy = false;
    c->ps = P_IDLE;
}

/* ---- requests ---- */

static size_t build_request(struct lg *g, uint64_t j, char *out, size_t cap)
{
    char dbody[1024];
    const char *body = g->body;
    size_t blen = g->body_len;
    if (g->salt) { /* the event bench/decide.lua sends as its n-th request (thread 0) */
        uint64_t n = j + g->first, acct = (n * 7919) % 1000;
        int k = snprintf(dbody, sizeof dbody,
                         "{\"ts\":%llu,\"account_id\":\"acct-%llu\",\"ip\":\"192.0.2.%llu\","
                         "\"api_key_id\":\"key-%llu\",\"request_id\":\"%s-0-%llu\","
                         "\"model\":\"m-large\",\"endpoint\":\"/v1/messages\","
                         "\"input_tokens\":420,\"output_tokens\":180,"
                         "\"prompt\":\"summarise the attached report\"}",
                         (unsigned long long)(1700000000000ULL + n * 5), (unsigned long long)acct,
                         (unsigned long long)(acct % 250 + 1), (unsigned long long)acct, g->salt,
                         (unsigned long long)n);
        body = dbody;
        blen = (size_t)k;
    }
    int h;
    if (body)
        h = snprintf(out, cap,
                     "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n%s\r\n",
                     g->method, g->path, g->hostport, blen, g->extra);
    else
        h = snprintf(out, cap, "%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", g->method, g->path,
                     g->hostport, g->extra);
    if (h < 0 || (size_t)h + blen > cap) die("request larger than its buffer");
    if (body) memcpy(out + h, body, blen);
    return (size_t)h + blen;
}

static void set_out(struct lg *g, struct conn *c, bool on)
{
    if (c->want_out == on) return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(g->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = on;
}

/* 0: written or waiting for EPOLLOUT; -1: the connection failed */
static int flush_out(struct lg *g, struct conn *c)
{
    while (c->woff < c->wlen) {
        ssize_t k = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (k > 0) {
            c->woff += (size_t)k;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            set_out(g, c, true);
            return 0;
        } else {
            return -1;
        }
    }
    set_out(g, c, false);
    return 0;
}

static void fail_request(struct lg *g, struct conn *c, uint64_t *counter)
{
    (*counter)++;
    conn_close(g, c);
}

static void send_next(struct lg *g, struct conn *c, int64_t now)
{
    uint64_t j = c->next;
    c->next += (uint64_t)g->conns;
    if (c->fd < 0) {
        if (conn_open(g, c) < 0) {
            g->st.err_connect++;
            return;
        }
        g->st.reconnects++;
        now = now_ns();
    }
    c->cur = j;
    c->due = due_of(g, j);
    c->wlen = build_request(g, j, c->wbuf, g->wcap);
    c->woff = 0;
    c->busy = true;
    c->ps = P_STATUS;
    c->llen = 0;
    c->sent = now;
    if (flush_out(g, c) < 0) fail_request(g, c, &g->st.err_io);
}

/* ---- responses ---- */

static void complete(struct lg *g, struct conn *c, int64_t t)
{
    struct stats *s = &g->st;
    s->responses++;
    if (c->status >= 200 && c->status < 300)
        s->ok++;
    else
        s->non2xx++;
    s->last_done = t;
    if (c->due - g->t0 >= (int64_t)(g->warmup * 1e9)) {
        int64_t ready = c->due > c->free_at ? c->due : c->free_at;
        s->lat_corr[s->measured] = t - c->due;
        s->lat_raw[s->measured] = t - c->sent;
        s->lag[s->measured] = c->sent > ready ? c->sent - ready : 0;
        s->measured++;
    }
    c->busy = false;
    c->ps = P_IDLE;
    c->free_at = t;
    if (c->close_after) conn_close(g, c);
}

static bool ieq_prefix(const char *line, const char *name, const char **val)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0 || line[n] != ':') return false;
    const char *v = line + n + 1;
    while (*v == ' ' || *v == '\t') v++;
    *val = v;
    return true;
}

static bool has_token(const char *v, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = v; (p = strcasestr(p, tok)) != NULL; p += n) {
        bool start = p == v || p[-1] == ',' || p[-1] == ' ' || p[-1] == '\t';
        char e = p[n];
        if (start && (e == 0 || e == ',' || e == ' ' || e == '\t' || e == ';')) return true;
    }
    return false;
}

/* one complete line (CR/LF stripped) in the current state; -1 on a protocol error */
static int on_line(struct lg *g, struct conn *c, char *l, size_t len, int64_t t)
{
    const char *v;
    switch (c->ps) {
    case P_STATUS:
        if (len < 12 || strncmp(l, "HTTP/1.", 7) != 0 || l[8] != ' ' || l[9] < '1' || l[9] > '5' ||
            l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' || (len > 12 && l[12] != ' '))
            return -1;
        c->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
        c->chunked = c->has_len = c->close_after = false;
        c->remain = 0;
        if (l[7] == '0') c->close_after = true; /* HTTP/1.0 without keep-alive */
        c->ps = P_HEADER;
        return 0;
    case P_HEADER:
        if (len == 0) {
            if (c->status < 200) { /* 1xx interim: the final answer follows */
                if (c->status == 101) return -1;
                c->ps = P_STATUS;
            } else if (c->status == 204 || c->status == 304 || g->head) {
                complete(g, c, t);
            } else if (c->chunked) {
                c->ps = P_CHUNK_SIZE;
            } else if (c->has_len) {
                if (c->remain == 0)
                    complete(g, c, t);
                else
                    c->ps = P_BODY_LEN;
            } else {
                c->ps = P_BODY_EOF;
                c->close_after = true;
            }
            return 0;
        }
        if (ieq_prefix(l, "content-length", &v)) {
            char *end;
            if (*v < '0' || *v > '9') return -1;
            errno = 0;
            unsigned long long n = strtoull(v, &end, 10);
            while (*end == ' ' || *end == '\t') end++;
            if (errno || *end || (c->has_len && c->remain != n)) return -1;
            c->remain = n;
            c->has_len = true;
        } else if (ieq_prefix(l, "transfer-encoding", &v)) {
            if (has_token(v, "chunked")) c->chunked = true;
        } else if (ieq_prefix(l, "connection", &v)) {
            if (has_token(v, "close")) c->close_after = true;
            if (has_token(v, "keep-alive")) c->close_after = false;
        }
        return 0;
    case P_CHUNK_SIZE: {
        uint64_t n = 0;
        size_t i = 0;
        for (; i < len; i++) {
            char ch = l[i];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0) break;
            if (n >> 40) return -1;
            n = n * 16 + (uint64_t)d;
        }
        if (i == 0 || (i < len && l[i] != ';' && l[i] != ' ' && l[i] != '\t')) return -1;
        if (n == 0) {
            c->ps = P_TRAILER;
        } else {
            c->remain = n;
            c->ps = P_CHUNK_DATA;
        }
        return 0;
    }
    case P_CHUNK_END:
        if (len) return -1;
        c->ps = P_CHUNK_SIZE;
        return 0;
    case P_TRAILER:
        if (len == 0) complete(g, c, t);
        return 0;
    default:
        return -1;
    }
}

/* bytes read from the connection; -1 on a protocol error */
static int feed(struct lg *g, struct conn *c, const char *p, size_t n, int64_t t)
{
    size_t i = 0;
    while (i < n) {
        switch (c->ps) {
        case P_IDLE:
            return -1; /* bytes that answer no request */
        case P_BODY_EOF:
            g->st.body_bytes += n - i;
            return 0;
        case P_BODY_LEN:
        case P_CHUNK_DATA: {
            size_t take = n - i < c->remain ? n - i : (size_t)c->remain;
            i += take;
            c->remain -= take;
            g->st.body_bytes += take;
            if (c->remain == 0) {
                if (c->ps == P_BODY_LEN)
                    complete(g, c, t);
                else
                    c->ps = P_CHUNK_END;
            }
            break;
        }
        default: {
            const char *nl = memchr(p + i, '\n', n - i);
            size_t take = nl ? (size_t)(nl - (p + i)) + 1 : n - i;
            if (c->llen + take >= sizeof c->line) return -1;
            memcpy(c->line + c->llen, p + i, take);
            c->llen += take;
            i += take;
            if (!nl) break;
            size_t len = c->llen - 1;
            if (len && c->line[len - 1] == '\r') len--;
            c->line[len] = 0;
            c->llen = 0;
            if (on_line(g, c, c->line, len, t) < 0) return -1;
        }
        }
        if (c->fd < 0) return i < n ? -1 : 0; /* closed after a Connection: close answer */
    }
    return 0;
}

static void on_readable(struct lg *g, struct conn *c)
{
    char buf[65536];
    for (;;) {
        ssize_t k = recv(c->fd, buf, sizeof buf, 0);
        int64_t t = now_ns();
        if (k > 0) {
            if (feed(g, c, buf, (size_t)k, t) < 0) {
                fail_request(g, c, &g->st.err_parse);
                return;
            }
            if (c->fd < 0) return;
            if ((size_t)k < sizeof buf) return;
        } else if (k == 0) { /* the server closed */
            if (c->busy && c->ps == P_BODY_EOF) {
                complete(g, c, t);
                conn_close(g, c);
            } else if (c->busy) {
                fail_request(g, c, &g->st.err_io);
            } else {
                conn_close(g, c); /* an idle keep-alive connection closed: reopened when due */
            }
            return;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else {
            if (c->busy)
                fail_request(g, c, &g->st.err_io);
            else
                conn_close(g, c);
            return;
        }
    }
}

/* ---- results ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double pct(const int64_t *v, uint64_t n, double q) /* nearest rank, ms */
{
    if (!n) return 0;
    uint64_t r = (uint64_t)ceil(q * (double)n);
    if (r < 1) r = 1;
    if (r > n) r = n;
    return (double)v[r - 1] / 1e6;
}

static double frac_le(const int64_t *v, uint64_t n, int64_t lim)
{
    uint64_t lo = 0, hi = n; /* first index with v > lim */
    while (lo < hi) {
        uint64_t m = (lo + hi) / 2;
        if (v[m] <= lim)
            lo = m + 1;
        else
            hi = m;
    }
    return n ? 100.0 * (double)lo / (double)n : 0;
}

static void print_lat(const char *what, int64_t *v, uint64_t n)
{
    qsort(v, n, sizeof *v, cmp_i64);
    printf("  %-34s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms\n", what, pct(v, n, 0.5),
           pct(v, n, 0.9), pct(v, n, 0.99), pct(v, n, 0.999), pct(v, n, 1.0));
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_loadgen -r RATE -c CONNS -d SECONDS [-w WARMUP_S] [-t TIMEOUT_S]\n"
            "         [-m METHOD] [-b BODY_FILE | --decide SALT [--first N]]\n"
            "         [-H 'Name: value']...\n"
            "         http://HOST:PORT/PATH\n");
    exit(2);
}

static void parse_url(struct lg *g, const char *url)
{
    static char host[256], port[16], path[2048];
    if (strncmp(url, "http://", 7) != 0) die("the URL must start with http://");
    const char *h = url + 7, *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    if (hl == 0 || hl >= sizeof host) die("bad host in the URL");
    memcpy(host, h, hl);
    host[hl] = 0;
    snprintf(g->hostport, sizeof g->hostport, "%s", host);
    char *colon = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
    snprintf(port, sizeof port, "80");
    if (colon) {
        if (host[0] == '[') colon++;
        snprintf(port, sizeof port, "%s", colon + 1);
        *colon = 0;
    }
    if (host[0] == '[') { /* [v6] */
        memmove(host, host + 1, strlen(host));
        char *e = strchr(host, ']');
        if (e) *e = 0;
    }
    snprintf(path, sizeof path, "%s", slash ? slash : "/");
    g->host = host;
    g->port = port;
    g->path = path;
}

static void read_body(struct lg *g, const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f) die("cannot open the body file");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > (1 << 20)) die("the body file must be at most 1 MiB");
    g->body = malloc((size_t)n + 1);
    if (!g->body || fread(g->body, 1, (size_t)n, f) != (size_t)n) die("cannot read the body file");
    g->body_len = (size_t)n;
    fclose(f);
}

int main(int argc, char **argv)
{
    static struct lg g = {.first = 1, .rate = 0, .dur = 10, .timeout = 5, .conns = 16};
    static const struct option lo[] = {{"decide", required_argument, NULL, 'D'},
                                       {"first", required_argument, NULL, 'F'},
                                       {0, 0, 0, 0}};
    const char *bodyfile = NULL;
    size_t xl = 0;
    int o;
    while ((o = getopt_long(argc, argv, "r:c:d:w:t:m:b:H:", lo, NULL)) != -1) {
        switch (o) {
        case 'r':
            g.rate = atof(optarg);
            break;
        case 'c':
            g.conns = atoi(optarg);
            break;
        case 'd':
            g.dur = atof(optarg);
            break;
        case 'w':
            g.warmup = atof(optarg);
            break;
        case 't':
            g.timeout = atof(optarg);
            break;
        case 'm':
            g.method = optarg;
            break;
        case 'b':
            bodyfile = optarg;
            break;
        case 'D':
            g.salt = optarg;
            break;
        case 'F':
            g.first = strtoull(optarg, NULL, 10);
            break;
        case 'H': {
            int k = snprintf(g.extra + xl, sizeof g.extra - xl, "%s\r\n", optarg);
            if (k < 0 || (size_t)k >= sizeof g.extra - xl) die("too many -H headers");
            xl += (size_t)k;
            break;
        }
        default:
            usage();
        }
    }
    if (optind != argc - 1 || g.rate <= 0 || g.conns < 1 || g.conns > MAX_CONNS || g.dur <= 0 ||
        g.warmup < 0 || g.warmup >= g.dur || g.timeout <= 0 || (bodyfile && g.salt))
        usage();
    parse_url(&g, argv[optind]);
    if (bodyfile) read_body(&g, bodyfile);
    if (!g.method) g.method = (bodyfile || g.salt) ? "POST" : "GET";
    g.head = strcmp(g.method, "HEAD") == 0;
    if (g.salt && strlen(g.salt) > 64) die("the salt must be at most 64 characters");

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    if (getaddrinfo(g.host, g.port, &hints, &g.ai) != 0) die("cannot resolve the host");
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake at the due time, not up to 50 us after */

    double want = ceil(g.rate * g.dur);
    if (want > 5e8) die("rate x duration too large");
    g.total = (uint64_t)want;
    g.wcap = 4096 + g.body_len + strlen(g.extra);
    g.st.lat_corr = malloc(g.total * sizeof(int64_t));
    g.st.lat_raw = malloc(g.total * sizeof(int64_t));
    g.st.lag = malloc(g.total * sizeof(int64_t));
    g.c = calloc((size_t)g.conns, sizeof *g.c);
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    if (!g.st.lat_corr || !g.st.lat_raw || !g.st.lag || !g.c || g.ep < 0) die("out of memory");
    for (int i = 0; i < g.conns; i++) {
        struct conn *c = &g.c[i];
        c->fd = -1;
        c->next = (uint64_t)i;
        c->wbuf = malloc(g.wcap);
        if (!c->wbuf) die("out of memory");
        if (conn_open(&g, c) < 0) {
            fprintf(stderr, "bench_loadgen: cannot connect to %s:%s: %s\n", g.host, g.port,
                    strerror(errno));
            return 1;
        }
    }

    struct timespec cpu0, cpu1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    g.t0 = now_ns() + 1000000; /* first request 1 ms from now */
    int64_t tmo = (int64_t)(g.timeout * 1e9);
    int64_t hard_end = g.t0 + (int64_t)(g.dur * 1e9) + tmo + NS;
    struct epoll_event evs[256];
    for (;;) {
        int64_t now = now_ns(), next_due = INT64_MAX;
        bool pending = false;
        for (int i = 0; i < g.conns; i++) {
            struct conn *c = &g.c[i];
            if (c->busy) {
                pending = true;
                if (now - c->sent > tmo)
                    fail_request(&g, c, &g.st.err_timeout);
                else if (c->sent + tmo < next_due)
                    next_due = c->sent + tmo + 1;
                continue;
            }
            while (!c->busy && c->next < g.total) {
                int64_t d = due_of(&g, c->next);
                if (d > now) {
                    if (d < next_due) next_due = d;
                    break;
                }
                send_next(&g, c, now);
            }
            if (c->busy || c->next < g.total) pending = true;
        }
        if (!pending || now > hard_end) break;
        struct timespec ts = {0, 0};
        int64_t wait = next_due - now_ns();
        if (next_due == INT64_MAX) wait = 10000000;
        if (wait > 0) {
            ts.tv_sec = wait / NS;
            ts.tv_nsec = wait % NS;
        }
        int n = epoll_pwait2(g.ep, evs, 256, &ts, NULL);
        if (n < 0 && errno != EINTR) die("epoll_pwait2 failed");
        for (int k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;
            if (c->fd < 0) continue;
            if ((evs[k].events & EPOLLOUT) && c->busy && flush_out(&g, c) < 0) {
                fail_request(&g, c, &g.st.err_io);
                continue;
            }
            if (evs[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(&g, c);
        }
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    int64_t end = now_ns();

    struct stats *s = &g.st;
    for (int i = 0; i < g.conns; i++) {
        struct conn *c = &g.c[i];
        if (c->busy) s->unfinished++;
        for (uint64_t j = c->next; j < g.total; j += (uint64_t)g.conns) s->unfinished++;
        conn_close(&g, c);
    }
    uint64_t errors = s->err_connect + s->err_io + s->err_parse + s->err_timeout;
    double span = (double)((s->last_done ? s->last_done : end) - g.t0) / 1e9;
    double achieved = span > 0 ? (double)s->responses / span : 0;
    double cpu = (double)(cpu1.tv_sec - cpu0.tv_sec) + (double)(cpu1.tv_nsec - cpu0.tv_nsec) / 1e9;

    printf("loadgen: %s %s%s, target %.0f req/s over %d connections for %.1f s: %llu requests "
           "scheduled\n",
           g.method, g.hostport, g.path, g.rate, g.conns, g.dur, (unsigned long long)g.total);
    printf("  achieved %.1f req/s; responses %llu (2xx %llu, non-2xx %llu); errors %llu (connect "
           "%llu, read/write %llu, parse %llu, timeout %llu); unfinished %llu; reconnects %llu\n",
           achieved, (unsigned long long)s->responses, (unsigned long long)s->ok,
           (unsigned long long)s->non2xx, (unsigned long long)errors,
           (unsigned long long)s->err_connect, (unsigned long long)s->err_io,
           (unsigned long long)s->err_parse, (unsigned long long)s->err_timeout,
           (unsigned long long)s->unfinished, (unsigned long long)s->reconnects);
    uint64_t m = s->measured;
    print_lat("from intended send (corrected):", s->lat_corr, m);
    double le1 = frac_le(s->lat_corr, m, 1000000), le2 = frac_le(s->lat_corr, m, 2000000);
    double p99c = pct(s->lat_corr, m, 0.99), p50c = pct(s->lat_corr, m, 0.5);
    double p999c = pct(s->lat_corr, m, 0.999), maxc = pct(s->lat_corr, m, 1.0);
    print_lat("from actual send (uncorrected):", s->lat_raw, m);
    double p99r = pct(s->lat_raw, m, 0.99), p50r = pct(s->lat_raw, m, 0.5);
    print_lat("own send lag (connection free):", s->lag, m);
    double lag99 = pct(s->lag, m, 0.99);
    printf("  corrected: %.2f %% <= 1 ms, %.2f %% <= 2 ms; %llu responses measured (warm-up "
           "%.1f s left out); loadgen CPU %.1f us per request (%.0f %% of one core)\n",
           le1, le2, (unsigned long long)m, g.warmup,
           s->responses ? cpu * 1e6 / (double)s->responses : 0, span > 0 ? 100 * cpu / span : 0);
    printf("loadgen_result target=%.0f achieved=%.1f scheduled=%llu responses=%llu ok=%llu "
           "non2xx=%llu errors=%llu unfinished=%llu p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
           "max_ms=%.3f raw_p50_ms=%.3f raw_p99_ms=%.3f lag_p99_ms=%.3f le2ms_pct=%.2f "
           "cpu_us_per_req=%.1f body_bytes=%llu reconnects=%llu\n",
           g.rate, achieved, (unsigned long long)g.total, (unsigned long long)s->responses,
           (unsigned long long)s->ok, (unsigned long long)s->non2xx, (unsigned long long)errors,
           (unsigned long long)s->unfinished, p50c, p99c, p999c, maxc, p50r, p99r, lag99, le2,
           s->responses ? cpu * 1e6 / (double)s->responses : 0, (unsigned long long)s->body_bytes,
           (unsigned long long)s->reconnects);
    for (int i = 0; i < g.conns; i++) free(g.c[i].wbuf);
    free(g.c);
    free(g.st.lat_corr);
    free(g.st.lat_raw);
    free(g.st.lag);
    free(g.body);
    freeaddrinfo(g.ai);
    close(g.ep);
    return s->responses + errors + s->unfinished == g.total && errors == 0 && s->unfinished == 0
               ? 0
               : 1;
}
