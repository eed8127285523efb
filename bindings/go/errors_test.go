package drsync

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// headerPath is capi/drsync.h of the repository this module lives in ($DRSYNC_HEADER wins).
func headerPath(t *testing.T) string {
	if p := os.Getenv("DRSYNC_HEADER"); p != "" {
		return p
	}
	p := filepath.Join("..", "..", "capi", "drsync.h")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no drsync.h to check against (set DRSYNC_HEADER): %v", err)
	}
	return p
}

// headerCodes parses enum drsync_error_code of the header: enumerator name -> value.
func headerCodes(t *testing.T) map[string]int {
	text, err := os.ReadFile(headerPath(t))
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?s)typedef enum drsync_error_code \{(.*?)\} drsync_error_code;`).
		FindSubmatch(text)
	if body == nil {
		t.Fatal("enum drsync_error_code not found in the header")
	}
	comments := regexp.MustCompile(`(?s)/\*.*?\*/`)
	entry := regexp.MustCompile(`^\s*(DRSYNC_[A-Z_]+)\s*=\s*(-?\d+)\s*$`)
	codes := map[string]int{}
	for _, item := range strings.Split(comments.ReplaceAllString(string(body[1]), ""), ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		m := entry.FindStringSubmatch(item)
		if m == nil {
			t.Fatalf("cannot parse enumerator %q", item)
		}
		codes[m[1]], _ = strconv.Atoi(m[2])
	}
	return codes
}

// Every enumerator of the C ABI's error enum has its Go Code, with the header's value, and
// nothing else is in the Go table.
func TestEveryCErrorCodeHasAGoCode(t *testing.T) {
	header := headerCodes(t)
	if len(header) < 25 {
		t.Fatalf("parsed only %d error codes from the header", len(header))
	}
	seen := map[string]bool{}
	for _, entry := range codeTable {
		v, ok := header[entry.C]
		if !ok {
			t.Errorf("%s (Go %d) is not in the header", entry.C, int(entry.Code))
			continue
		}
		if v != int(entry.Code) {
			t.Errorf("%s: header %d, Go %d", entry.C, v, int(entry.Code))
		}
		if seen[entry.C] {
			t.Errorf("%s listed twice", entry.C)
		}
		seen[entry.C] = true
	}
	for name, v := range header {
		if !seen[name] {
			t.Errorf("%s = %d has no Go Code in codeTable", name, v)
		}
	}
}

func TestCodesAreSentinels(t *testing.T) {
	for _, entry := range codeTable {
		c := entry.Code
		if c == codeOK {
			continue
		}
		if c.Name() == "unknown" || c.Name() == "" {
			t.Errorf("%s: the library has no name for %d", entry.C, int(c))
		}
		var err error = &Error{Code: c, Message: "m", Op: "op"}
		if !errors.Is(err, c) {
			t.Errorf("errors.Is(Error{%s}, %s) is false", entry.C, c.Name())
		}
		if c != ErrNotFound && errors.Is(err, ErrNotFound) {
			t.Errorf("errors.Is(Error{%s}, ErrNotFound) is true", entry.C)
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != c {
			t.Errorf("errors.As(*Error) failed for %s", entry.C)
		}
		var code Code
		if !errors.As(err, &code) || code != c {
			t.Errorf("errors.As(Code) failed for %s", entry.C)
		}
	}
	if ErrNotFound.Name() != "not_found" || ErrCancelled.Name() != "cancelled" {
		t.Errorf("names: %q %q", ErrNotFound.Name(), ErrCancelled.Name())
	}
}

func TestErrorText(t *testing.T) {
	cause := errors.New("operator pressed stop")
	err := &Error{Code: ErrCancelled, Op: "cutover", Step: "scale_down",
		Message: "cancelled by a callback", cause: cause}
	want := "drsync cutover (step scale_down): cancelled by a callback [cancelled]: operator pressed stop"
	if err.Error() != want {
		t.Errorf("got %q\nwant %q", err.Error(), want)
	}
	if !errors.Is(err, cause) || !errors.Is(err, ErrCancelled) {
		t.Error("the cause and the code must both match")
	}
	forbidden := &Error{Code: ErrForbidden, HTTPStatus: 403, Reason: "Forbidden", Message: "no"}
	if forbidden.Error() != "drsync: no [HTTP 403, Forbidden, forbidden]" {
		t.Errorf("got %q", forbidden.Error())
	}
}

func TestEnumsFromTheLibrary(t *testing.T) {
	if LoadedABIVersion() != ABIVersion {
		t.Fatalf("loaded ABI %d, built against %d", LoadedABIVersion(), ABIVersion)
	}
	names := StepNames()
	if len(names) != 11 || names[0] != "sync" || names[len(names)-1] != "check_services" {
		t.Errorf("step names %v", names)
	}
	if Cutover.String() != "cutover" || Deactivate.String() != "deactivate" || Mode(99).String() != "Mode(99)" {
		t.Errorf("modes %v %v", Cutover, Deactivate)
	}
	if s, err := ParseSide("dest"); err != nil || s != Destination {
		t.Errorf("ParseSide(dest) = %v, %v", s, err)
	}
	if _, err := ParseSide("left"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("ParseSide(left): %v", err)
	}
}
