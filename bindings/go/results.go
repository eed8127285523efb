package drsync

import (
	"encoding/json"
)

// Progress is one progress event: a migration step ("sync", "scale_down", "wait_ready", ...)
// or a sync phase ("discover", "list", "apply"), the object concerned
// ("deployments.apps/web" or "") and done/total counts (migrate_data: the bytes of the PVC
// Object, and its files).
type Progress struct {
	Step       string
	Object     string
	Done       uint64
	Total      uint64
	FilesDone  uint64
	FilesTotal uint64
}

// SyncResult is what NamespaceSync.Plan / Run report (SyncResult::to_json).
type SyncResult struct {
	OK         bool             `json:"ok"`
	DryRun     bool             `json:"dryRun"`
	DurationMs int64            `json:"durationMs"`
	Counts     map[string]int   `json:"counts"`
	Objects    []map[string]any `json:"objects"`
	Errors     []string         `json:"errors"`
	Warnings   []string         `json:"warnings"`
	Requests   map[string]any   `json:"requests"`
	NotCopied  []string         `json:"notCopied"` // what could not be copied, and why
	Raw        json.RawMessage  `json:"-"`         // the whole document
}

// Count is the number of objects with this action: create, update, unchanged, skip, prune,
// conflict, error.
func (r *SyncResult) Count(action string) int { return r.Counts[action] }

// StepRecord is one step of a mode as the report records it.
type StepRecord struct {
	Name     string `json:"name"`
	Status   string `json:"status"` // ok, skipped, failed
	Started  string `json:"started"`
	Finished string `json:"finished"`
	Message  string `json:"message"`
}

// Change is one scale change a mode made or would make.
type Change struct {
	Side     string `json:"side"`     // "source" / "destination"
	Resource string `json:"resource"` // "deployments.apps"
	Name     string `json:"name"`
	From     string `json:"from"`
	To       string `json:"to"`
}

// WorkloadState is a workload's scale at the end of a mode.
type WorkloadState struct {
	Resource         string `json:"resource"`
	Name             string `json:"name"`
	Scale            string `json:"scale"`
	Ready            string `json:"ready"`
	RecordedOriginal string `json:"recordedOriginal"`
}

// Finding is one preflight finding.
type Finding struct {
	Severity string `json:"severity"` // "error", "warning", "info"
	Check    string `json:"check"`    // "storage-class", "resource-quota", ...
	Object   string `json:"object"`   // "persistentvolumeclaims/data"
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

// PreflightReport is what in the destination would block (errors) or degrade (warnings) a
// recovery; OK when no finding is an error.
type PreflightReport struct {
	OK       bool            `json:"ok"`
	Findings []Finding       `json:"findings"`
	Raw      json.RawMessage `json:"-"`
}

// Errors are the findings of severity "error".
func (p *PreflightReport) Errors() []Finding { return p.bySeverity("error") }

// Warnings are the findings of severity "warning".
func (p *PreflightReport) Warnings() []Finding { return p.bySeverity("warning") }

func (p *PreflightReport) bySeverity(s string) []Finding {
	var out []Finding
	for _, f := range p.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// MigrationReport is the report of a mode (MigrationReport::to_json and to_markdown).
type MigrationReport struct {
	Mode            string           `json:"mode"` // "Stage", "Cutover", "Failback", ...
	OK              bool             `json:"ok"`
	Steps           []StepRecord     `json:"steps"`
	Changes         []Change         `json:"changes"`
	Warnings        []string         `json:"warnings"`
	Errors          []string         `json:"errors"`
	SourceReachable bool             `json:"sourceReachable"`
	SourceFenced    bool             `json:"sourceFenced"`
	RolledBack      bool             `json:"rolledBack"`
	Readiness       []string         `json:"readiness"`
	SyncCounts      map[string]int   `json:"sync"` // the sync step's counts; nil if it did not run
	NotCopied       []string         `json:"notCopied"`
	Preflight       *PreflightReport `json:"preflight"` // Stage and Cutover run it first
	FinalState      struct {
		Source      []WorkloadState `json:"source"`
		Destination []WorkloadState `json:"destination"`
	} `json:"finalState"`
	Started  string          `json:"started"`
	Finished string          `json:"finished"`
	Markdown string          `json:"-"` // the report as Markdown
	Raw      json.RawMessage `json:"-"`
}

// Step is the last record of the named step, or nil.
func (r *MigrationReport) Step(name string) *StepRecord {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}

// PlanPairReport is one namespace pair of a plan run.
type PlanPairReport struct {
	Source      string           `json:"source"`
	Destination string           `json:"destination"`
	OK          bool             `json:"ok"`
	Ran         bool             `json:"ran"`   // false: refused or not started (Error says why)
	Error       string           `json:"error"` // the first error ("" when OK)
	Code        string           `json:"code"`  // when the mode raised: "fenced", "pending", ...
	Seconds     float64          `json:"seconds"`
	Report      *MigrationReport `json:"report"` // the pair's report when it ran
}

// PlanReport is the report of Plan.Run: every pair, in the plan's order.
type PlanReport struct {
	Mode         string           `json:"mode"`
	OK           bool             `json:"ok"` // every pair succeeded
	Cancelled    bool             `json:"cancelled"`
	Parallelism  int              `json:"parallelism"`
	Seconds      float64          `json:"seconds"`      // start -> the last pair done
	ReadySeconds float64          `json:"readySeconds"` // start -> the last started side ready
	Pairs        []PlanPairReport `json:"pairs"`
	Markdown     string           `json:"-"` // a summary table, then each pair's report
	Raw          json.RawMessage  `json:"-"`
}

// PlannedStep is one step a mode would run; with a preview, what it would change.
type PlannedStep struct {
	Name        string      `json:"name"`        // "scale_down", "rollback_scale_up"
	Side        string      `json:"side"`        // the side it acts on (sync: copied into)
	Description string      `json:"description"` // "scale down the source"
	Changes     []Change    `json:"changes"`
	Notes       []string    `json:"notes"`
	SyncPlan    *SyncResult `json:"syncPlan"`
}

// StepPlan is the steps a mode would run, after the refusal checks the mode runs.
type StepPlan struct {
	Mode            string              `json:"mode"`
	Resume          bool                `json:"resume"` // a half-done run would be completed
	SourceReachable bool                `json:"sourceReachable"`
	NothingToDo     string              `json:"nothingToDo"` // non-empty: nothing would change
	Steps           []PlannedStep       `json:"steps"`
	Rollback        []PlannedStep       `json:"rollback"`
	Skipped         []map[string]string `json:"skipped"` // {"name": "fence", "reason": "..."}
	Warnings        []string            `json:"warnings"`
	Raw             json.RawMessage     `json:"-"`
}

// StepNames are the names of the planned steps, in order.
func (p *StepPlan) StepNames() []string {
	names := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		names[i] = s.Name
	}
	return names
}

// MigrationStatus is which side is active, a half-done operation, the destination's ledger.
type MigrationStatus struct {
	ActiveSide       string            `json:"activeSide"` // "source", "destination", "unknown"
	SourceRole       string            `json:"sourceRole"` // "active", "passive", ""
	DestinationRole  string            `json:"destinationRole"`
	SourceReachable  bool              `json:"sourceReachable"`
	PendingMode      string            `json:"pendingMode"` // "" if none
	PendingStepsDone []string          `json:"pendingStepsDone"`
	Ledger           map[string]string `json:"ledger"`
	Raw              json.RawMessage   `json:"-"`
}

func decodeSync(doc []byte) (*SyncResult, error) {
	r := &SyncResult{Raw: doc}
	return r, json.Unmarshal(doc, r)
}

func decodeReport(doc []byte, markdown string) (*MigrationReport, error) {
	r := &MigrationReport{SourceReachable: true, Raw: doc, Markdown: markdown}
	return r, json.Unmarshal(doc, r)
}

func decodePlanReport(doc []byte, markdown string) (*PlanReport, error) {
	r := &PlanReport{Raw: doc, Markdown: markdown}
	return r, json.Unmarshal(doc, r)
}

func decodeStepPlan(doc []byte) (*StepPlan, error) {
	p := &StepPlan{SourceReachable: true, Raw: doc}
	return p, json.Unmarshal(doc, p)
}

func decodePreflight(doc []byte) (*PreflightReport, error) {
	p := &PreflightReport{Raw: doc}
	return p, json.Unmarshal(doc, p)
}

func decodeStatus(doc []byte) (*MigrationStatus, error) {
	s := &MigrationStatus{SourceReachable: true, Raw: doc}
	return s, json.Unmarshal(doc, s)
}
