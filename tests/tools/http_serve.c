/* http_serve.c — a minimal HTTP/1.0 file server on 127.0.0.1 for the
 * `warden lists update` tests: a real socket and real HTTP, no fixtures
 * inside the client. Serves GET /NAME from DIR (no subdirectories, no ".."),
 * 404 otherwise. GET /short/NAME sends NAME's first half while announcing its
 * full length, then closes: a transfer cut short. Binds a free port, writes it
 * to PORTFILE, serves one connection at a time and exits after IDLE seconds
 * without a request (default 30), so a failed test never leaves it running.
 * Usage: http_serve DIR PORTFILE [IDLE] */
#include <arpa/inet.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

static void serve(int c, const char *dir)
{
    char req[2048];
    size_t n = 0;
    while (n + 1 < sizeof req) {
        ssize_t k = read(c, req + n, sizeof req - 1 - n);
        if (k <= 0) break;
        n += (size_t)k;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n")) break;
    }
    req[n] = '\0';
    char path[1024];
    if (sscanf(req, "GET %1000s", path) != 1) return;
    const char *name = path + 1;
    bool shorten = strncmp(path, "/short/", 7) == 0;
    if (shorten) name = path + 7;
    char file[2048];
    snprintf(file, sizeof file, "%s/%s", dir, name);
    struct stat st;
    int fd = -1;
    if (!strchr(name, '/') && !strstr(name, "..") && *name && stat(file, &st) == 0 &&
        S_ISREG(st.st_mode))
        fd = open(file, O_RDONLY);
    char hdr[256];
    if (fd < 0) {
        int l = snprintf(hdr, sizeof hdr, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        send_all(c, hdr, (size_t)l);
        return;
    }
    int l = snprintf(hdr, sizeof hdr, "HTTP/1.0 200 OK\r\nContent-Length: %lld\r\n\r\n",
                     (long long)st.st_size);
    send_all(c, hdr, (size_t)l);
    off_t left = shorten ? st.st_size / 2 : st.st_size;
    char buf[65536];
    while (left > 0) {
        ssize_t k = read(fd, buf, sizeof buf < (size_t)left ? sizeof buf : (size_t)left);
        if (k <= 0) break;
        send_all(c, buf, (size_t)k);
        left -= k;
    }
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: http_serve DIR PORTFILE [IDLE]\n");
        return 2;
    }
    int idle = argc > 3 ? atoi(argv[3]) : 30;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t al = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &al) != 0) {
        perror("http_serve");
        return 1;
    }
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
    FILE *pf = fopen(tmp, "w");
    if (!pf) return 1;
    fprintf(pf, "%d\n", ntohs(a.sin_port));
    fclose(pf);
    rename(tmp, argv[2]);
    for (;;) {
        struct pollfd p = {s, POLLIN, 0};
        int r = poll(&p, 1, idle * 1000);
        if (r == 0) return 0; /* idle: done */
        if (r < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        serve(c, argv[1]);
        close(c);
    }
}
