/* cmd_worker.c — `warden worker --config FILE`: one member of the Kafka
 * worker group (kafka/worker.c). Its command line is also the linking
 * stage's (cmd_link_stage.c) and the case stage's (cmd_case_stage.c): the
 * same config file, id and idle exit. */
#include "cli/cli.h"
#include "core/error.h"
#include "kafka/kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern const struct warden_cmd warden_cmd_case_stage;

const struct warden_opt warden_kafka_member_opts[] = {
    {"config", 'c', "FILE",
     "worker configuration (YAML; keys: see 'warden config --dump', worker.*)", false},
    {"id", 0, "ID",
     "this worker's name, unique in the group and kept across restarts (its transactional id "
     "is PREFIX-ID); default: HOSTNAME-PID",
     false},
    {"idle-exit", 0, "SECONDS",
     "exit once this long passes without an event after partitions were assigned (the linking "
     "and case stages: after their first record; tests, batch backfills; default 0: never)",
     false},
    {"metrics-port", 0, "PORT",
     "port of /metrics and /healthz instead of the config's metrics_port (several members on "
     "one machine, one config file); 0 = any free port, -1 = none",
     false},
    {"check", 0, NULL, "validate the config and the policy it names, then exit", false},
    {"quiet", 'q', NULL, "no informational messages", false},
    {NULL, 0, NULL, NULL, false},
};

static int worker_main(int argc, char **argv);

const struct warden_cmd warden_cmd_worker = {
    .name = "worker",
    .fn = worker_main,
    .summary = "Kafka worker: consume events, produce verdicts and findings exactly once",
    .usage = "--config FILE [--id ID]",
    .opts = warden_kafka_member_opts,
    .details = "Joins the consumer group on the events topic; each assigned partition is one\n"
               "engine shard. Findings, verdicts, rejects and progress records are produced in\n"
               "transactions that also commit the consumed offsets (exactly once). On a\n"
               "rebalance or restart a partition's state is rebuilt by replaying it up to the\n"
               "committed offset, from its snapshot in state_dir when there is one. SIGTERM\n"
               "commits the open transaction and leaves the group.\n"
               "When the policy enables the link detector, linking observations go to the\n"
               "linking topic and cluster membership comes back from `warden link-stage`.\n"
               "See README \"Kafka deployment\".",
};

static int worker_main(int argc, char **argv)
{
    return warden_kafka_member_main(&warden_cmd_worker, argc, argv);
}

int warden_kafka_member_main(const struct warden_cmd *cmd, int argc, char **argv)
{
    bool cases = cmd == &warden_cmd_case_stage;
    bool stage = cmd != &warden_cmd_worker && !cases;
    const char *who = cases ? "case-stage" : stage ? "link-stage" : "worker";
    struct warden_args a;
    int prc = warden_args_parse(&a, cmd, argc, argv);
    if (prc) {
        warden_args_free(&a);
        return prc > 0 ? WARDEN_EXIT_OK : WARDEN_EXIT_USAGE;
    }
    int ret = WARDEN_EXIT_OK;
    char err[1024];
    struct warden_worker_conf c;
    if (warden_worker_conf_load(&c, warden_arg(&a, "config"), err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        ret = WARDEN_EXIT_CONFIG;
        goto out;
    }
    long idle = 0;
    const char *is = warden_arg(&a, "idle-exit");
    char *end;
    if (is && ((idle = strtol(is, &end, 10)) < 0 || *end)) {
        fprintf(stderr, "warden %s: --idle-exit needs a whole number of seconds, got '%s'\n", who,
                is);
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    const char *mp = warden_arg(&a, "metrics-port");
    long port = 0;
    if (mp && ((port = strtol(mp, &end, 10)) < -1 || port > 65535 || *end || !*mp)) {
        fprintf(stderr, "warden %s: --metrics-port needs a port from -1 to 65535, got '%s'\n", who,
                mp);
        ret = WARDEN_EXIT_USAGE;
        goto out;
    }
    if (mp) c.metrics_port = port;
    if (cases && (!c.cases || !*c.cases)) {
        fprintf(stderr, "warden %s: %s: the config names no case database (key cases)\n", who,
                warden_arg(&a, "config"));
        ret = WARDEN_EXIT_CONFIG;
        goto out;
    }
    if (warden_flag(&a, "check")) {
        printf("warden %s: configuration ok\n", who);
        goto out;
    }
    char id[300];
    if (warden_arg(&a, "id")) {
        snprintf(id, sizeof id, "%s", warden_arg(&a, "id"));
    } else {
        char host[256] = "worker";
        gethostname(host, sizeof host - 1);
        snprintf(id, sizeof id, "%s-%ld", host, (long)getpid());
    }
    int rc = (cases   ? warden_kafka_case_stage_run
              : stage ? warden_kafka_link_stage_run
                      : warden_kafka_worker_run)(&c, id, (int64_t)idle * 1000,
                                                 warden_flag(&a, "quiet"), err, sizeof err);
    if (rc) {
        fprintf(stderr, "warden %s: %s\n", who, err);
        ret = rc == WARDEN_ECONFIG ? WARDEN_EXIT_CONFIG : WARDEN_EXIT_IO;
    }
out:
    warden_worker_conf_fini(&c);
    warden_args_free(&a);
    return ret;
}
