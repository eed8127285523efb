"""Results of drsync operations as dataclasses, parsed from the JSON the C ABI returns.

Every dataclass keeps the whole document in ``raw``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = ["Side", "Mode", "Progress", "SyncResult", "VolumePair", "Step", "Change", "WorkloadState",
           "MigrationReport", "MigrationStatus", "PlannedStep", "StepPlan", "PlanPairReport",
           "PlanReport"]


class Side(enum.IntEnum):
    """One side of a migration (enum drsync_side)."""

    SOURCE = 0
    DESTINATION = 1

    @classmethod
    def of(cls, value: "Side | str | int") -> "Side":
        """Side.SOURCE from Side.SOURCE, 0, "source"; Side.DESTINATION from 1, "destination",
        "dest"."""
        if isinstance(value, str):
            v = value.lower()
            if v == "source":
                return cls.SOURCE
            if v in ("destination", "dest"):
                return cls.DESTINATION
            raise ValueError(f"unknown side {value!r} (source or destination)")
        return cls(value)

    def __str__(self) -> str:
        return self.name.lower()


class Mode(enum.IntEnum):
    """A mode of a migration (enum drsync_mode)."""

    STAGE = 0
    CUTOVER = 1
    FAILBACK = 2
    ACTIVATE = 3
    DEACTIVATE = 4

    @classmethod
    def of(cls, value: "Mode | str | int") -> "Mode":
        """Mode.CUTOVER from Mode.CUTOVER, 1, "cutover", "Cutover"."""
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                raise ValueError(f"unknown mode {value!r} (stage, cutover or failback)") from None
        return cls(value)

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Progress:
    """One progress event: a migration step ("sync", "scale_down", "wait_ready", ...) or a sync
    phase ("discover", "list", "apply"), the object concerned ("deployments.apps/web" or "")
    and done/total counts (migrate_data: the bytes of the PVC ``object``, and its files)."""

    step: str
    object: str
    done: int
    total: int
    files_done: int = 0
    files_total: int = 0


@dataclass(frozen=True)
class VolumePair:
    """One PVC pair handed to a volume hook (``Migration.on_volume``): the sides, the API server
    URLs, namespaces and PVC names (the same name on both sides)."""

    from_side: Side
    to_side: Side
    from_server: str
    from_namespace: str
    from_pvc: str
    to_server: str
    to_namespace: str
    to_pvc: str


@dataclass
class SyncResult:
    """What drsync_sync_plan / drsync_sync_run reported (SyncResult::to_json)."""

    ok: bool
    dry_run: bool
    duration_ms: int
    counts: Dict[str, int]
    objects: List[Dict[str, Any]]
    errors: List[str]
    warnings: List[str]
    requests: Dict[str, Any]
    raw: Dict[str, Any] = field(repr=False)
    #: what could not be copied and why (e.g. cluster-scoped objects without the RBAC rules)
    not_copied: List[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        """Objects with this action: create, update, unchanged, skip, prune, conflict, error."""
        return int(self.counts.get(action, 0))

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "SyncResult":
        return cls(ok=bool(doc.get("ok")), dry_run=bool(doc.get("dryRun")),
                   duration_ms=int(doc.get("durationMs", 0)), counts=dict(doc.get("counts", {})),
                   objects=list(doc.get("objects", [])), errors=list(doc.get("errors", [])),
                   warnings=list(doc.get("warnings", [])),
                   requests=dict(doc.get("requests", {})), raw=doc,
                   not_copied=list(doc.get("notCopied", [])))


@dataclass(frozen=True)
class Step:
    """One step of a mode as the report records it."""

    name: str
    status: str  # ok, skipped, failed
    started: str
    finished: str
    message: str = ""


@dataclass(frozen=True)
class Change:
    """One scale change a mode made."""

    side: str  # "source" / "destination"
    resource: str  # "deployments.apps"
    name: str
    from_: str
    to: str


@dataclass(frozen=True)
class WorkloadState:
    """A workload's scale at the end of a mode."""

    resource: str
    name: str
    scale: str
    ready: str = ""
    recorded_original: str = ""


@dataclass(frozen=True)
class CheckResult:
    """One service check of check_services: a Service's ready endpoints, or a user's HTTP / TCP
    check (options ``service_checks``)."""

    name: str  # "services/web", or the check's name
    kind: str  # "endpoints", "http", "tcp"
    target: str  # URL, host:port, or the Service's selector
    from_: str  # "cluster", "host", "pod"
    ok: bool
    detail: str  # "1 ready endpoint", "HTTP 200", ...
    duration_ms: int


@dataclass(frozen=True)
class VolumeCopy:
    """What the data mover did for one PVC (migrate_data)."""

    pvc: str
    ok: bool
    files_total: int
    files_transferred: int
    bytes_total: int
    bytes_sent: int
    duration_ms: int
    rsync_exit: int
    message: str
    verify: str


@dataclass
class MigrationReport:
    """The report of Stage, Cutover or Failback (MigrationReport::to_json / to_markdown)."""

    mode: str  # "Stage", "Cutover", "Failback"
    ok: bool
    steps: List[Step]
    changes: List[Change]
    warnings: List[str]
    errors: List[str]
    markdown: str
    source_reachable: bool
    source_fenced: bool
    rolled_back: bool
    readiness: List[str]
    sync_counts: Optional[Dict[str, int]]
    source_state: List[WorkloadState]
    destination_state: List[WorkloadState]
    started: str
    finished: str
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any], markdown: str) -> "MigrationReport":
        def states(items: List[Dict[str, Any]]) -> List[WorkloadState]:
            return [WorkloadState(s.get("resource", ""), s.get("name", ""), s.get("scale", ""),
                                  s.get("ready", ""), s.get("recordedOriginal", ""))
                    for s in items]

        final = doc.get("finalState", {})
        return cls(
            mode=doc.get("mode", ""), ok=bool(doc.get("ok")),
            steps=[Step(s.get("name", ""), s.get("status", ""), s.get("started", ""),
                        s.get("finished", ""), s.get("message", "")) for s in doc.get("steps", [])],
            changes=[_change(c) for c in doc.get("changes", [])],
            warnings=list(doc.get("warnings", [])), errors=list(doc.get("errors", [])),
            markdown=markdown, source_reachable=bool(doc.get("sourceReachable", True)),
            source_fenced=bool(doc.get("sourceFenced")), rolled_back=bool(doc.get("rolledBack")),
            readiness=list(doc.get("readiness", [])),
            sync_counts=dict(doc["sync"]) if "sync" in doc else None,
            source_state=states(final.get("source", [])),
            destination_state=states(final.get("destination", [])),
            started=doc.get("started", ""), finished=doc.get("finished", ""), raw=doc)

    @property
    def preflight(self) -> Optional["PreflightReport"]:
        """The preflight Stage and Cutover ran first (None for the other modes)."""
        doc = self.raw.get("preflight")
        return PreflightReport.from_json(doc) if doc is not None else None

    @property
    def checks(self) -> List[CheckResult]:
        """What check_services found (empty when it did not run)."""
        return [CheckResult(c.get("name", ""), c.get("kind", ""), c.get("target", ""),
                            c.get("from", ""), bool(c.get("ok")), c.get("detail", ""),
                            int(c.get("durationMs", 0))) for c in self.raw.get("checks", [])]

    @property
    def volumes(self) -> List[VolumeCopy]:
        """migrate_data: one entry per PVC (empty when no data was copied)."""
        return [VolumeCopy(v.get("pvc", ""), bool(v.get("ok")), int(v.get("filesTotal", 0)),
                           int(v.get("filesTransferred", 0)), int(v.get("bytesTotal", 0)),
                           int(v.get("bytesSent", 0)), int(v.get("durationMs", 0)),
                           int(v.get("rsyncExit", -1)), v.get("message", ""),
                           v.get("verify", "")) for v in self.raw.get("volumes", [])]

    @property
    def not_copied(self) -> List[str]:
        """What the sync step could not copy, and why."""
        return list(self.raw.get("notCopied", []))

    def step(self, name: str) -> Optional[Step]:
        """The last record of a step, or None."""
        for s in reversed(self.steps):
            if s.name == name:
                return s
        return None


def _change(c: Dict[str, Any]) -> "Change":
    return Change(c.get("side", ""), c.get("resource", ""), c.get("name", ""), c.get("from", ""),
                  c.get("to", ""))


@dataclass(frozen=True)
class PlannedStep:
    """One step a mode would run (Migration.plan); with a preview, what it would change."""

    name: str  # "scale_down", "rollback_scale_up"
    side: str  # the side it acts on ("sync"/"migrate_data": the side copied into)
    description: str  # "scale down the source"
    changes: List[Change]
    notes: List[str]
    sync_plan: Optional[SyncResult]

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "PlannedStep":
        plan = doc.get("syncPlan")
        return cls(doc.get("name", ""), doc.get("side", ""), doc.get("description", ""),
                   [_change(c) for c in doc.get("changes", [])], list(doc.get("notes", [])),
                   SyncResult.from_json(plan) if plan is not None else None)


@dataclass(frozen=True)
class Finding:
    """One preflight finding: what in the destination would block (error) or degrade (warning)
    a recovery, about which object, and the fix."""

    severity: str  # "error", "warning", "info"
    check: str  # "storage-class", "resource-quota", ...
    object: str  # "persistentvolumeclaims/data"
    message: str
    fix: str


@dataclass
class PreflightReport:
    """Migration.preflight(): the findings; ``ok`` when none is an error."""

    ok: bool
    findings: List[Finding]
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "PreflightReport":
        return cls(bool(doc.get("ok")),
                   [Finding(f.get("severity", ""), f.get("check", ""), f.get("object", ""),
                            f.get("message", ""), f.get("fix", ""))
                    for f in doc.get("findings", [])], doc)

    def errors(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def warnings(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


@dataclass
class StepPlan:
    """The steps a mode would run, after the refusal checks the mode runs (Migration.plan)."""

    mode: str  # "Stage", "Cutover", "Failback"
    resume: bool  # a half-done run would be completed
    source_reachable: bool
    nothing_to_do: str  # non-empty: the mode would change nothing, for this reason
    steps: List[PlannedStep]
    rollback: List[PlannedStep]
    skipped: List[Dict[str, str]]  # {"name": "fence", "reason": "source unreachable"}
    warnings: List[str]
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "StepPlan":
        return cls(doc.get("mode", ""), bool(doc.get("resume")),
                   bool(doc.get("sourceReachable", True)), doc.get("nothingToDo", ""),
                   [PlannedStep.from_json(s) for s in doc.get("steps", [])],
                   [PlannedStep.from_json(s) for s in doc.get("rollback", [])],
                   list(doc.get("skipped", [])), list(doc.get("warnings", [])), doc)

    @property
    def step_names(self) -> List[str]:
        return [s.name for s in self.steps]


@dataclass
class MigrationStatus:
    """Which side is active, a half-done operation, the destination's ledger."""

    active_side: str  # "source", "destination", "unknown"
    source_role: str  # "active", "passive", ""
    destination_role: str
    source_reachable: bool
    pending_mode: str  # "" if none
    pending_steps_done: List[str]
    ledger: Dict[str, str]
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "MigrationStatus":
        return cls(active_side=doc.get("activeSide", ""), source_role=doc.get("sourceRole", ""),
                   destination_role=doc.get("destinationRole", ""),
                   source_reachable=bool(doc.get("sourceReachable", True)),
                   pending_mode=doc.get("pendingMode", ""),
                   pending_steps_done=list(doc.get("pendingStepsDone", [])),
                   ledger=dict(doc.get("ledger", {})), raw=doc)


@dataclass(frozen=True)
class PlanPairReport:
    """One namespace pair of a plan run (Plan.run)."""

    source: str
    destination: str
    ok: bool
    ran: bool  # False: refused or not started (``error`` says why)
    error: str  # the first error ("" when ok)
    code: str  # when the mode raised: the error's name ("fenced", "pending", ...), else ""
    seconds: float
    #: the pair's report when it ran (its Markdown is in PlanReport.markdown)
    report: Optional[MigrationReport]


@dataclass(frozen=True)
class PlanReport:
    """The report of a plan run (Plan.run): every pair, in the plan's order."""

    mode: str
    ok: bool  # every pair succeeded
    cancelled: bool
    parallelism: int
    seconds: float  # start -> the last pair done
    ready_seconds: float  # start -> the last started side ready (0: none was started)
    pairs: List[PlanPairReport]
    markdown: str  # a summary table, then each pair's report
    raw: Dict[str, Any] = field(repr=False)

    @property
    def failed(self) -> List[PlanPairReport]:
        return [p for p in self.pairs if not p.ok]

    @classmethod
    def from_json(cls, doc: Dict[str, Any], markdown: str) -> "PlanReport":
        pairs = [PlanPairReport(
            p.get("source", ""), p.get("destination", ""), bool(p.get("ok")), bool(p.get("ran")),
            p.get("error", ""), p.get("code", ""), float(p.get("seconds", 0)),
            MigrationReport.from_json(p["report"], "") if "report" in p else None)
            for p in doc.get("pairs", [])]
        return cls(mode=doc.get("mode", ""), ok=bool(doc.get("ok")),
                   cancelled=bool(doc.get("cancelled")),
                   parallelism=int(doc.get("parallelism", 1)),
                   seconds=float(doc.get("seconds", 0)),
                   ready_seconds=float(doc.get("readySeconds", 0)), pairs=pairs,
                   markdown=markdown, raw=doc)
