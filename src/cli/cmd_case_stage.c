/* cmd_case_stage.c — `warden case-stage --config FILE`: the case database
 * of a Kafka deployment (kafka/case_stage.c): findings, verdicts and action
 * changes from the workers' topics into cases.db, for the review console
 * and `warden explain`. Same config file as the workers. */
#include "cli/cli.h"

static int case_stage_main(int argc, char **argv);

const struct warden_cmd warden_cmd_case_stage = {
    .name = "case-stage",
    .fn = case_stage_main,
    .summary = "Kafka case stage: the workers' findings, verdicts and audit into cases.db",
    .usage = "--config FILE [--id ID]",
    .opts = warden_kafka_member_opts,
    .details = "Joins the consumer group cases_group on the findings, verdicts and audit topics\n"
               "(read committed) and keeps the case database named by the config key `cases`:\n"
               "one case per actioned account (its newest verdict), the findings that actioned\n"
               "it and one audit row per action change at the event time of the change, merged\n"
               "about once a second the way a scan merges (analysts' status and notes kept; a\n"
               "dismissed case actioned again is open again). Offsets are committed after each\n"
               "merge, so a stage killed at any point reads again what it had not merged and\n"
               "records nothing twice. Bad records are reported with topic, partition and\n"
               "offset and skipped. Run one per case database; serve the console over it with\n"
               "`warden serve` (cases: PATH, cases_record: false). Same config file as\n"
               "`warden worker`. See README \"Kafka deployment\".",
};

static int case_stage_main(int argc, char **argv)
{
    return warden_kafka_member_main(&warden_cmd_case_stage, argc, argv);
}
