# Every source file of the project's libraries and programs, one per line, sorted (LC_ALL=C sort),
# relative to the top-level source directory: this file is the one place to add a file (no
# file(GLOB)). ctest lint.sources (tests/lint/check-sources) fails when a .cpp under src/, capi/,
# cli/, tests/unit/ or tests/e2e/ is listed nowhere, or when a list is not sorted.
# (The benchmark and example programs, one file each, are in bench/ and examples/CMakeLists.txt.)

# libdrsync: src/<layer>/ and the C ABI (capi/).
set(DRSYNC_LIBRARY_SOURCES
    capi/cluster.cpp
    capi/continuous.cpp
    capi/errors.cpp
    capi/migration.cpp
    capi/plan.cpp
    capi/steps.cpp
    capi/support.cpp
    capi/sync.cpp
    capi/volume_hook.cpp
    src/config/credential_source.cpp
    src/config/exec_plugin.cpp
    src/config/in_cluster.cpp
    src/config/kubeconfig.cpp
    src/config/pem.cpp
    src/core/base64.cpp
    src/core/error.cpp
    src/core/file.cpp
    src/core/ids.cpp
    src/core/object.cpp
    src/core/yaml.cpp
    src/ledger/replica_ledger.cpp
    src/migration/check_pod.cpp
    src/migration/check_services.cpp
    src/migration/copy_volumes.cpp
    src/migration/endpoint_checks.cpp
    src/migration/journal.cpp
    src/migration/migration_impl.cpp
    src/migration/mover_manifests.cpp
    src/migration/mover_results.cpp
    src/migration/mover_run.cpp
    src/migration/mover_sides.cpp
    src/migration/names.cpp
    src/migration/pod_placement.cpp
    src/migration/preflight.cpp
    src/migration/preflight_checks.cpp
    src/migration/report.cpp
    src/migration/runner.cpp
    src/migration/scale_steps.cpp
    src/migration/ssh_keys.cpp
    src/migration/step_plan.cpp
    src/migration/step_preview.cpp
    src/migration/steps.cpp
    src/migration/wait_steps.cpp
    src/migration/workload_watch.cpp
    src/migration/workloads.cpp
    src/options/options_document.cpp
    src/plan/plan_report.cpp
    src/plan/plan_run.cpp
    src/plan/type_census.cpp
    src/rest/cluster.cpp
    src/rest/curl_global.cpp
    src/rest/discovery.cpp
    src/rest/easy_setup.cpp
    src/rest/list_page.cpp
    src/rest/probe.cpp
    src/rest/rest_request.cpp
    src/rest/retry_policy.cpp
    src/rest/status_error.cpp
    src/rest/transport.cpp
    src/rest/url.cpp
    src/rest/verbs.cpp
    src/rest/watch.cpp
    src/sync/active_side.cpp
    src/sync/applier.cpp
    src/sync/cluster_deps.cpp
    src/sync/continuous_stats.cpp
    src/sync/continuous_sync.cpp
    src/sync/crds.cpp
    src/sync/debouncer.cpp
    src/sync/diff.cpp
    src/sync/drift.cpp
    src/sync/lister.cpp
    src/sync/namespace_sync.cpp
    src/sync/planner.cpp
    src/sync/reporter.cpp
    src/sync/result_json.cpp
    src/sync/schedule.cpp
    src/sync/select.cpp
    src/sync/source_watchers.cpp
    src/transform/destination_fields.cpp
    src/transform/glob.cpp
    src/transform/hash.cpp
    src/transform/image_ref.cpp
    src/transform/image_rewrite.cpp
    src/transform/job.cpp
    src/transform/json_patch.cpp
    src/transform/json_pointer.cpp
    src/transform/merge_patch.cpp
    src/transform/modifier_value.cpp
    src/transform/pipeline.cpp
    src/transform/pod_spec.cpp
    src/transform/pvc.cpp
    src/transform/remap_namespace.cpp
    src/transform/resource_modifiers.cpp
    src/transform/service.cpp
    src/transform/service_account.cpp
    src/transform/strategic_merge.cpp
    src/transform/strip_server_fields.cpp
)

# The drsync command line's units without I/O: the parser, what is generated from its tables
# (completion, man page), log lines and the progress display (to a given FILE); no server and no
# library calls beyond option types (the CLI, its unit tests in tests/CMakeLists.txt,
# fuzz_cli_flags).
set(DRSYNC_CLI_PARSER_SOURCES
    cli/command_line.cpp
    cli/completion.cpp
    cli/continuous_flags.cpp
    cli/data_flags.cpp
    cli/duration.cpp
    cli/flags.cpp
    cli/log_line.cpp
    cli/man_page.cpp
    cli/progress.cpp
    cli/timeout_flags.cpp
)

# The rest of the drsync command line (cli/CMakeLists.txt).
set(DRSYNC_CLI_SOURCES
    cli/continuous.cpp
    cli/dry_run.cpp
    cli/exit_codes.cpp
    cli/main.cpp
    cli/outcome.cpp
    cli/output_files.cpp
    cli/output_text.cpp
    cli/preflight.cpp
    cli/run_modes.cpp
    cli/status.cpp
    cli/targets.cpp
    cli/version.cpp
)

# Unit tests: no server needed (tests/CMakeLists.txt).
set(DRSYNC_UNIT_TEST_SOURCES
    tests/catch_main.cpp
    tests/unit/stub_server.cpp
    tests/unit/test_cluster_deps.cpp
    tests/unit/test_deadlines.cpp
    tests/unit/test_debouncer.cpp
    tests/unit/test_exec_plugin.cpp
    tests/unit/test_hash.cpp
    tests/unit/test_in_cluster.cpp
    tests/unit/test_journal.cpp
    tests/unit/test_kubeconfig.cpp
    tests/unit/test_ledger.cpp
    tests/unit/test_list_page.cpp
    tests/unit/test_mover.cpp
    tests/unit/test_object_yaml.cpp
    tests/unit/test_options.cpp
    tests/unit/test_patches.cpp
    tests/unit/test_phase_gate.cpp
    tests/unit/test_preflight.cpp
    tests/unit/test_resource_modifiers.cpp
    tests/unit/test_schedule.cpp
    tests/unit/test_select.cpp
    tests/unit/test_service_checks.cpp
    tests/unit/test_step_names.cpp
    tests/unit/test_transforms.cpp
    tests/unit/test_transport_faults.cpp
    tests/unit/test_url.cpp
)

# Unit tests of the CLI's command line (tests/CMakeLists.txt, with the CLI's parser sources).
set(DRSYNC_CLI_TEST_SOURCES
    tests/catch_main.cpp
    tests/unit/test_cli_flags.cpp
    tests/unit/test_cli_generated.cpp
    tests/unit/test_cli_progress.cpp
)

# End-to-end tests against two real clusters (tests/CMakeLists.txt; e2e/migrate_child.cpp is a
# program of its own).
set(DRSYNC_E2E_TEST_SOURCES
    tests/catch_main.cpp
    tests/e2e/harness.cpp
    tests/e2e/test_cluster_deps.cpp
    tests/e2e/test_cluster_stress.cpp
    tests/e2e/test_continuous.cpp
    tests/e2e/test_daemonsets.cpp
    tests/e2e/test_ledger_properties.cpp
    tests/e2e/test_migration.cpp
    tests/e2e/test_plan_run.cpp
    tests/e2e/test_preflight.cpp
    tests/e2e/test_real_node.cpp
    tests/e2e/test_rest_verbs.cpp
    tests/e2e/test_service_checks.cpp
    tests/e2e/test_smoke.cpp
    tests/e2e/test_sync.cpp
    tests/e2e/test_takeover.cpp
)

# drsync-controller (controller/), with the CLI units it shares (flags, durations, log lines).
set(DRSYNC_CONTROLLER_SOURCES
    cli/duration.cpp
    cli/flags.cpp
    cli/log_line.cpp
    controller/controller_flags.cpp
    controller/failover_run.cpp
    controller/http_server.cpp
    controller/leader_election.cpp
    controller/logger.cpp
    controller/main.cpp
    controller/mapping_worker.cpp
    controller/metrics.cpp
    controller/reconciler.cpp
    controller/remote_clusters.cpp
    controller/resources.cpp
    controller/status_writer.cpp
)

# drsync-controller's unit tests (tests/CMakeLists.txt: the controller's sources without main.cpp).
set(DRSYNC_CONTROLLER_TEST_SOURCES
    tests/controller/test_units.cpp
)
