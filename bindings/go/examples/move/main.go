// Command move moves an application between two clusters with the drsync Go binding: Stage
// (copy the namespace, workloads stopped, their counts recorded), then Cutover (stop the
// source, start the destination at the recorded counts, wait until ready, verify).
//
//	go run ./examples/move SOURCE_KUBECONFIG DEST_KUBECONFIG NAMESPACE [DEST_NAMESPACE]
//
// Ctrl-C cancels the running mode through its context; running the program again resumes it.
// Exit status: 0 moved, 1 failed, 2 usage, 3 refused (fenced, or another operation pending).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"

	drsync "github.com/libdrsync/drsync/bindings/go"
)

func main() {
	if len(os.Args) < 4 || len(os.Args) > 5 {
		fmt.Fprintln(os.Stderr, "usage: move SOURCE_KUBECONFIG DEST_KUBECONFIG NAMESPACE [DEST_NAMESPACE]")
		os.Exit(2)
	}
	ns, dns := os.Args[3], os.Args[3]
	if len(os.Args) == 5 {
		dns = os.Args[4]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := move(ctx, os.Args[1], os.Args[2], ns, dns); err != nil {
		fmt.Fprintln(os.Stderr, "move:", err)
		if errors.Is(err, drsync.ErrFenced) || errors.Is(err, drsync.ErrPending) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

func move(ctx context.Context, sourceConfig, destConfig, ns, dns string) error {
	src, err := drsync.OpenCluster(sourceConfig, "")
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := drsync.OpenCluster(destConfig, "")
	if err != nil {
		return err
	}
	defer dst.Close()
	m, err := drsync.NewMigration(src, ns, dst, dns, drsync.Options{"waitTimeoutSeconds": 120})
	if err != nil {
		return err
	}
	defer m.Close()
	m.OnProgress(func(p drsync.Progress) error {
		if p.Step == "wait_ready" {
			fmt.Fprintf(os.Stderr, "  wait_ready: %d/%d ready\n", p.Done, p.Total)
		}
		return nil
	})
	m.OnStep(func(_ context.Context, ev drsync.StepEvent, _ *drsync.Migration) error {
		if ev.Before {
			fmt.Fprintf(os.Stderr, "%s: %s\n", ev.Mode, ev.Step)
		}
		return nil
	})

	staged, err := m.Stage(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("Stage: ok=%v, %d objects created, recorded:\n", staged.OK, staged.SyncCounts["create"])
	ledger, err := m.Ledger(ctx, drsync.Destination)
	if err != nil {
		return err
	}
	workloads := make([]string, 0, len(ledger))
	for workload := range ledger {
		workloads = append(workloads, workload)
	}
	sort.Strings(workloads)
	for _, workload := range workloads {
		fmt.Printf("  %s = %s\n", workload, ledger[workload])
	}
	cut, err := m.Cutover(ctx)
	if cut != nil {
		fmt.Println(cut.Markdown)
	}
	return err
}
