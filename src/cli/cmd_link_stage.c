/* cmd_link_stage.c — `warden link-stage --config FILE`: the linking stage
 * of the Kafka deployment (kafka/worker.c in stage mode, link/remote.h):
 * consumes the workers' linking observations, keeps the cluster state and
 * sends membership back to the workers. Same config file as the workers. */
#include "cli/cli.h"

static int link_stage_main(int argc, char **argv);

const struct warden_cmd warden_cmd_link_stage = {
    .name = "link-stage",
    .fn = link_stage_main,
    .summary = "Kafka linking stage: hydra clusters across workers, membership back to them",
    .usage = "--config FILE [--id ID]",
    .opts = warden_kafka_member_opts,
    .details = "Joins the consumer group link_group on the linking topic, where the workers put\n"
               "their link observations (identifier kind and 64-bit key, the account's own action\n"
               "changes), links them with the policy's detectors.link settings and the accounts\n"
               "registry, and produces cluster membership notices to the membership topic (to the\n"
               "account's events partition), exactly once with the consumed offsets. Run one\n"
               "(a second waits as a standby in the group). Same config file as `warden worker`.\n"
               "See README \"Kafka deployment\".",
};

static int link_stage_main(int argc, char **argv)
{
    return warden_kafka_member_main(&warden_cmd_link_stage, argc, argv);
}
