/* scenario.c — the populations the simulator knows and the named scenarios
 * that mix them. A scenario is data: a share of accounts per population, a
 * default size and duration, and a rate scale. Truth labels and kinds are
 * the ones written to truth.jsonl (formats.md §6). */
#include "sim/model.h"

#include <string.h>

const struct warden_popdef warden_popdefs[POP_COUNT] = {
    [POP_INDIVIDUAL] = {"benign", "benign.individual", 0, 0,
                        "people at home: residential ISP, diurnal sessions, multi-turn"},
    [POP_DEVAPP] = {"benign", "benign.developer_app", 0, 0,
                    "a developer's app on cloud IPs serving its own end users"},
    [POP_PRIVACY_VPN] = {"benign", "benign.privacy_vpn", 0, 0, "ordinary users behind VPN exits"},
    [POP_CORP_EGRESS] = {"benign", "benign.corporate_egress", 0, 0,
                         "employees of one company behind one or two egress IPs, office hours"},
    [POP_ZH_SPEAKER] = {"benign", "benign.chinese_speaker", 0, 0,
                        "Chinese-speaking users in allowed countries (never a signal)"},
    [POP_BATCH] = {"benign", "benign.batch_pipeline", 0, 0,
                   "enterprise pipeline: one template, huge volume, cloud IPs, machine cadence"},
    [POP_EVAL] = {"benign", "benign.eval_harness", 0, 0,
                  "evaluation harness: a fixed benchmark run a few times"},
    [POP_RESELLER] = {"benign", "benign.reseller", 0, 0,
                      "declared reseller / platform with many end users"},
    [POP_MINORITY_OWNED] = {"benign", "benign.minority_owned", 0, 0,
                            "company with a listed minority (<50 %) shareholder"},
    [POP_HYDRA] = {"distillation", "distillation.hydra", 6, 24,
                   "many accounts harvesting one capability area with reasoning elicitation"},
    [POP_PER_ACCOUNT_PROXY] = {"distillation", "distillation.per_account_proxy", 5, 16,
                               "hydra where every account has its own datacenter IP"},
    [POP_RESIDENTIAL_PROXY] = {"distillation", "distillation.residential_proxy", 5, 16,
                               "hydra rotating through residential proxy exits"},
    [POP_COVER_TRAFFIC] = {"distillation", "distillation.cover_traffic", 4, 12,
                           "harvesting mixed with organic prompts as cover"},
    [POP_PARAPHRASE] = {"distillation", "distillation.paraphrase", 4, 12,
                        "harvesting with paraphrased, varied templates"},
    [POP_SLOW_LOW] = {"distillation", "distillation.slow_low", 20, 60,
                      "low volume per account, spread over many accounts, human-like hours"},
    [POP_MODEL_PIVOT] = {"distillation", "distillation.model_pivot", 4, 12,
                         "quiet accounts that pivot to a newly released model"},
    [POP_SIGNUP_BURST] = {"distillation", "distillation.signup_burst", 8, 30,
                          "accounts created in a burst through an easy sign-up program"},
    [POP_LISTED_ORG] = {"restricted", "restricted.listed_org", 0, 0,
                        "accounts of a listed organisation under a variant name"},
    [POP_SUBSIDIARY] = {"restricted", "restricted.subsidiary", 0, 0,
                        "accounts of a company >=50 % owned by a listed party (chains)"},
    [POP_CIRC_DIRECT] = {"circumvention", "circumvention.direct", 0, 0,
                         "billed in an allowed country, traffic from a restricted one"},
    [POP_CIRC_VPN] = {"circumvention", "circumvention.vpn", 0, 0,
                      "as direct, through VPN exits that sometimes leak"},
    [POP_CIRC_CLOUD] = {"circumvention", "circumvention.cloud", 0, 0,
                        "as direct, through cloud relays that sometimes leak"},
    [POP_CIRC_TUNNEL_VPN] = {"circumvention", "circumvention.tunnel_vpn", 0, 0,
                             "restricted-country user whose every request goes through VPN "
                             "exits; billing in an allowed country; other tells varied"},
    [POP_CIRC_TUNNEL_CLOUD] = {"circumvention", "circumvention.tunnel_cloud", 0, 0,
                               "restricted-country user relaying every request through a cloud "
                               "server in an allowed country; other tells varied"},
    [POP_TRAVELLER] = {"benign", "benign.traveller", 0, 0,
                       "a user on a trip of 3-14 days to another allowed country"},
    [POP_NEAR_BORDER] = {"benign", "benign.near_border", 0, 0,
                         "users in allowed countries next to restricted ones, some on a VPN"},
    [POP_CODING_AGENT] = {"benign", "benign.coding_agent", 0, 0,
                          "coding agent: big shared vendor system prompt, tools, caching, many "
                          "turns, thinking with large budgets"},
    [POP_SAAS_APP] = {"benign", "benign.saas_app", 0, 0,
                      "SaaS app serving its end users through one key, one instruction frame"},
    [POP_TRANSLATION] = {"benign", "benign.translation", 0, 0,
                         "translation service: one frame, many documents, around the clock"},
    [POP_EVAL_COT] = {"benign", "benign.eval_cot", 0, 0,
                      "evaluation harness that appends \"think step by step\" to benchmark items"},
    [POP_JITTERED] = {"distillation", "distillation.jittered", 4, 12,
                      "harvesting around the clock with random (Poisson) timing"},
    [POP_SLOW_SHORT] = {"distillation", "distillation.slow_short", 20, 60,
                        "accounts of 15-40 requests each, human hours"},
    [POP_AGENTIC] = {"distillation", "distillation.agentic", 4, 12,
                     "agentic-looking harvesting: tools, turns, caching, no elicitation wording"},
    [POP_REWORDED] = {"distillation", "distillation.reworded", 4, 12,
                      "harvesting with reworded frames and elicitation phrasings"},
    [POP_CGNAT] = {"benign", "benign.cgnat", 0, 0,
                   "unrelated mobile users behind a carrier-grade NAT: a few /24s shared by "
                   "hundreds of accounts, the same popular mobile client families"},
    [POP_SAAS_END_USERS] = {"benign", "benign.saas_end_users", 0, 0,
                            "separate accounts of one SaaS vendor's customers: the vendor's "
                            "prompt template around their own payloads, their own networks"},
    [POP_JOINER] = {"distillation", "distillation.joiner", 0, 0,
                    "hydra members created days after their cluster began, sharing its "
                    "infrastructure, payment and templates"},
    [POP_REASONING_USER] = {"benign", "benign.reasoning_user", 0, 0,
                            "a heavy user of a reasoning model: many distinct questions, thinking "
                            "on with big budgets, answers as long as a harvest's, people's hours "
                            "and follow-ups"},
    [POP_CIRC_TUNNEL_RESIDENTIAL] = {"circumvention", "circumvention.tunnel_residential", 0, 0,
                                     "restricted-country user whose every request goes through a "
                                     "residential proxy service in an allowed country, a new "
                                     "exit each session; other tells varied"},
    [POP_CIRC_STAFF] = {"circumvention", "circumvention.restricted_staff", 0, 0,
                        "staff of an organisation in a restricted country, signed up one by "
                        "one (no declared organisation) with the company's e-mail domain and "
                        "card billed in an allowed country; all tunnel through VPN exits, "
                        "one of each group sometimes connects directly from home"},
    [POP_VIA_RESELLER] = {"distillation", "distillation.via_reseller", 0, 0,
                          "an end user of a declared reseller harvesting through the platform: "
                          "the platform's account, key, servers and client, the harvester's "
                          "own end_user id (truth: ACCOUNT/END_USER)"},
    [POP_AGENT_DEVELOPER] = {"benign", "benign.agent_developer", 0, 0,
                             "a developer directing one or two coding agents on working days "
                             "(a quarter run three to six at once and now and then fan a task "
                             "out to sub-agents): the vendor's prompt and tools, long tool "
                             "loops, approvals in between"},
    [POP_AGENT_EVAL] = {"benign", "benign.agent_eval", 0, 0,
                        "an evaluation team running one agentic benchmark several times, "
                        "many sessions at once: the same tasks every run"},
    [POP_AGENT_HARNESS] = {"distillation", "distillation.agent_harness", 0, 0,
                           "a harness harvesting agent trajectories: a task list run through "
                           "an agent scaffold, many sessions at once in runs of hours on a "
                           "few days, every task new, no wording that asks for reasoning"},
};

static const struct warden_scenario scenarios[] = {
    {"demo",
     "small, every population, a few thousand events",
     170,
     7,
     0.03,
     {[POP_INDIVIDUAL] = 40,
      [POP_DEVAPP] = 6,
      [POP_PRIVACY_VPN] = 6,
      [POP_CORP_EGRESS] = 12,
      [POP_ZH_SPEAKER] = 6,
      [POP_BATCH] = 2,
      [POP_EVAL] = 2,
      [POP_RESELLER] = 2,
      [POP_MINORITY_OWNED] = 2,
      [POP_HYDRA] = 8,
      [POP_PER_ACCOUNT_PROXY] = 6,
      [POP_RESIDENTIAL_PROXY] = 6,
      [POP_COVER_TRAFFIC] = 5,
      [POP_PARAPHRASE] = 5,
      [POP_SLOW_LOW] = 20,
      [POP_MODEL_PIVOT] = 5,
      [POP_SIGNUP_BURST] = 9,
      [POP_LISTED_ORG] = 4,
      [POP_SUBSIDIARY] = 4,
      [POP_CIRC_DIRECT] = 3,
      [POP_CIRC_VPN] = 3,
      [POP_CIRC_CLOUD] = 3}},
    {"mixed",
     "realistic proportions, about a million events",
     15930, /* 15200 before the CGNAT, SaaS end-user and joiner shares were added, 15851
             before the residential tunnel's, 15890 before the restricted staff's */
     30,
     1.0,
     {[POP_INDIVIDUAL] = 12000,
      [POP_DEVAPP] = 100,
      [POP_PRIVACY_VPN] = 600,
      [POP_CORP_EGRESS] = 1000,
      [POP_ZH_SPEAKER] = 800,
      [POP_BATCH] = 5,
      [POP_EVAL] = 40,
      [POP_RESELLER] = 20,
      [POP_MINORITY_OWNED] = 30,
      [POP_HYDRA] = 36,
      [POP_PER_ACCOUNT_PROXY] = 24,
      [POP_RESIDENTIAL_PROXY] = 24,
      [POP_COVER_TRAFFIC] = 20,
      [POP_PARAPHRASE] = 20,
      [POP_SLOW_LOW] = 120,
      [POP_MODEL_PIVOT] = 16,
      [POP_SIGNUP_BURST] = 40,
      [POP_LISTED_ORG] = 40,
      [POP_SUBSIDIARY] = 50,
      [POP_CIRC_DIRECT] = 40,
      [POP_CIRC_VPN] = 50,
      [POP_CIRC_CLOUD] = 40,
      [POP_CIRC_TUNNEL_VPN] = 40,
      [POP_CIRC_TUNNEL_CLOUD] = 30,
      [POP_TRAVELLER] = 300,
      [POP_NEAR_BORDER] = 400,
      [POP_CGNAT] = 400,
      [POP_SAAS_END_USERS] = 250,
      [POP_JOINER] = 30,
      [POP_CIRC_TUNNEL_RESIDENTIAL] = 40,
      [POP_CIRC_STAFF] = 40,
      [POP_VIA_RESELLER] = 12}},
    {"evasive",
     "attackers use every evasion among ordinary traffic",
     3323, /* 3000 before the CGNAT, SaaS end-user and joiner shares were added, 3226
            before the residential tunnel's, 3283 before the restricted staff's */
     14,
     0.5,
     {[POP_INDIVIDUAL] = 900,
      [POP_DEVAPP] = 40,
      [POP_PRIVACY_VPN] = 120,
      [POP_CORP_EGRESS] = 200,
      [POP_ZH_SPEAKER] = 80,
      [POP_BATCH] = 4,
      [POP_EVAL] = 6,
      [POP_RESELLER] = 5,
      [POP_MINORITY_OWNED] = 10,
      [POP_PER_ACCOUNT_PROXY] = 50,
      [POP_RESIDENTIAL_PROXY] = 50,
      [POP_COVER_TRAFFIC] = 50,
      [POP_PARAPHRASE] = 50,
      [POP_SLOW_LOW] = 120,
      [POP_MODEL_PIVOT] = 30,
      [POP_SIGNUP_BURST] = 50,
      [POP_LISTED_ORG] = 20,
      [POP_SUBSIDIARY] = 40,
      [POP_CIRC_VPN] = 40,
      [POP_CIRC_CLOUD] = 40,
      [POP_CIRC_TUNNEL_VPN] = 40,
      [POP_CIRC_TUNNEL_CLOUD] = 40,
      [POP_TRAVELLER] = 60,
      [POP_NEAR_BORDER] = 80,
      [POP_CGNAT] = 80,
      [POP_SAAS_END_USERS] = 60,
      [POP_JOINER] = 20,
      [POP_CIRC_TUNNEL_RESIDENTIAL] = 40,
      [POP_CIRC_STAFF] = 40,
      [POP_VIA_RESELLER] = 8}},
    {"agents",
     "agent sessions: coding-agent developers (some running several agents and sub-agents), "
     "agentic evaluation runs, harnesses harvesting agent trajectories, among ordinary users",
     800,
     14,
     0.5,
     {[POP_INDIVIDUAL] = 560,
      [POP_DEVAPP] = 20,
      [POP_SAAS_APP] = 20,
      [POP_AGENT_DEVELOPER] = 150,
      [POP_AGENT_EVAL] = 12,
      [POP_AGENT_HARNESS] = 30}},
    {"benign-heavy",
     "hard negatives only, for false-positive measurement",
     1500,
     14,
     0.5,
     {[POP_DEVAPP] = 120,
      [POP_PRIVACY_VPN] = 200,
      [POP_CORP_EGRESS] = 300,
      [POP_ZH_SPEAKER] = 200,
      [POP_BATCH] = 20,
      [POP_EVAL] = 30,
      [POP_RESELLER] = 20,
      [POP_MINORITY_OWNED] = 40,
      [POP_TRAVELLER] = 100,
      [POP_NEAR_BORDER] = 100}},
    {"lookalike",
     "distillation look-alikes and held-out evasions among ordinary users",
     2000,
     14,
     0.5,
     {[POP_INDIVIDUAL] = 900,
      [POP_ZH_SPEAKER] = 150,
      [POP_DEVAPP] = 40,
      [POP_BATCH] = 15,
      [POP_EVAL] = 20,
      [POP_RESELLER] = 10,
      [POP_CODING_AGENT] = 120,
      [POP_SAAS_APP] = 60,
      [POP_TRANSLATION] = 30,
      [POP_EVAL_COT] = 30,
      [POP_JITTERED] = 40,
      [POP_SLOW_SHORT] = 120,
      [POP_AGENTIC] = 40,
      [POP_REWORDED] = 40}},
    {"reasoning",
     "heavy reasoning-model users among ordinary users: hard negatives for answer yield",
     1000,
     14,
     0.5,
     {[POP_INDIVIDUAL] = 700, [POP_ZH_SPEAKER] = 100, [POP_REASONING_USER] = 200}},
};

const struct warden_sim_scenario_info warden_sim_scenarios[] = {
    {"demo", "small, every population, a few thousand events (the bundled demo data)"},
    {"mixed", "realistic proportions, about a million events"},
    {"evasive", "attackers use every evasion among ordinary traffic"},
    {"benign-heavy", "hard negatives only, for false-positive measurement"},
    {"lookalike", "distillation look-alikes (coding agents, SaaS apps, translation, eval with "
                  "step-by-step) and held-out evasions"},
    {"reasoning", "heavy reasoning-model users (thinking on, long answers, many questions) among "
                  "ordinary users: hard negatives for answer yield"},
    {"agents", "agent sessions: coding-agent developers (some running several agents and "
               "sub-agents), agentic evaluation runs, harnesses harvesting agent trajectories"},
    {NULL, NULL},
};

const struct warden_scenario *warden_scenario_get(const char *name)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, name) == 0) return &scenarios[i];
    return NULL;
}

const char *const warden_sim_models[4] = {"atlas-2-large", "atlas-2-medium", "atlas-2-small",
                                          "atlas-3-large"};

size_t warden_sim_population_count(void)
{
    return POP_COUNT;
}

void warden_sim_population(size_t i, const char **kind, const char **summary)
{
    *kind = i < POP_COUNT ? warden_popdefs[i].kind : NULL;
    *summary = i < POP_COUNT ? warden_popdefs[i].summary : NULL;
}
