package fleetup

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type badInput struct {
	Name       string `json:"name"`
	Request    *string
	RequestHex *string `json:"request_hex"`
	RequestGen *struct {
		Prefix string `json:"prefix"`
		Unit   string `json:"unit"`
		Count  int    `json:"count"`
		Suffix string `json:"suffix"`
	} `json:"request_gen"`
	Error string `json:"error"`
}

func loadBadInputs(t *testing.T) []badInput {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "tests", "bad_inputs", "catalogue.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []badInput `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 60 {
		t.Fatalf("the catalogue has %d entries", len(doc.Cases))
	}
	return doc.Cases
}

func (c badInput) bytes() ([]byte, error) {
	switch {
	case c.Request != nil:
		return []byte(*c.Request), nil
	case c.RequestHex != nil:
		return hex.DecodeString(*c.RequestHex)
	case c.RequestGen != nil:
		g := c.RequestGen
		return []byte(g.Prefix + strings.Repeat(g.Unit, g.Count) + g.Suffix), nil
	}
	return nil, errors.New("the case has no request")
}

// errorCode runs one request through CallRaw and returns the code of its error envelope.
func errorCode(req []byte) (string, error) {
	out, err := CallRaw(req)
	if err != nil {
		return "", err
	}
	var resp struct {
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.Error == nil {
		return "", errors.New("no error envelope: " + string(out))
	}
	return resp.Error.Code, nil
}

// TestBadInputs runs tests/bad_inputs/catalogue.json through CallRaw: every hostile request gets
// its stable error code in the response envelope.
func TestBadInputs(t *testing.T) {
	for _, c := range loadBadInputs(t) {
		req, err := c.bytes()
		if err != nil {
			t.Fatal(err)
		}
		code, err := errorCode(req)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if code != c.Error {
			t.Errorf("%s: got %s, want %s", c.Name, code, c.Error)
		}
	}
}

const (
	badInputMaxSeconds = 1.0
	badInputMaxRSS     = 256 << 20
	badInputCaseEnv    = "FLEETUP_BAD_INPUT_CASE"
	badInputMarker     = "fleetup-bad-input-result "
)

type badInputReport struct {
	Code    string  `json:"code"`
	Seconds float64 `json:"seconds"`
	Err     string  `json:"err"`
	PeakKiB int64   `json:"peak_kib"`
}

// peakRSSKiB reads VmHWM, the peak resident set of this process image, from /proc/self/status.
func peakRSSKiB() (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// TestBadInputChild is the child half of TestBadInputBounds: it runs the one case given in its
// environment and prints a report line. Without that variable it does nothing.
func TestBadInputChild(t *testing.T) {
	raw := os.Getenv(badInputCaseEnv)
	if raw == "" {
		t.Skip("runs only as a child of TestBadInputBounds")
	}
	var c badInput
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	req, err := c.bytes()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, err := errorCode(req)
	report := badInputReport{Code: code, Seconds: time.Since(start).Seconds()}
	if err != nil {
		report.Err = err.Error()
	}
	if report.PeakKiB, err = peakRSSKiB(); err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(report)
	os.Stdout.WriteString(badInputMarker + string(line) + "\n")
}

// TestBadInputBounds runs every catalogue entry alone in a fresh copy of this test binary, so
// that child's peak resident set is the entry's memory: Go runtime, request bytes and call
// together, under 256 MiB. The child reads its own VmHWM: wait4's Maxrss would not do, because Go
// starts children with vfork semantics and Linux then carries the parent's high-water mark into
// the child's. The call itself must take under 1 s of wall
// time, and a child alive after 10 s is killed as a hang. No address-space limit: the Go runtime
// reserves far more virtual memory than it uses, so RLIMIT_AS would measure the runtime, not the
// library. Skipped under the race detector, whose shadow memory and slowdown are not the
// library's (TestBadInputs still checks the codes there).
func TestBadInputBounds(t *testing.T) {
	if raceEnabled {
		t.Skip("bounds are measured without the race detector")
	}
	var slowest, largest string
	var worstSeconds float64
	var worstRSS int64
	for _, c := range loadBadInputs(t) {
		raw, _ := json.Marshal(c)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBadInputChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), badInputCaseEnv+"="+string(raw))
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Errorf("%s: the child failed (%v; killed after 10 s means a hang)", c.Name, err)
			continue
		}
		var report badInputReport
		for _, line := range strings.Split(string(out), "\n") {
			if rest, ok := strings.CutPrefix(line, badInputMarker); ok {
				err = json.Unmarshal([]byte(rest), &report)
			}
		}
		if err != nil || (report.Code == "" && report.Err == "") {
			t.Errorf("%s: no report from the child: %s", c.Name, out)
			continue
		}
		rss := report.PeakKiB * 1024
		if report.Err != "" || report.Code != c.Error {
			t.Errorf("%s: got %q (%s), want %s", c.Name, report.Code, report.Err, c.Error)
		}
		if report.Seconds >= badInputMaxSeconds {
			t.Errorf("%s: took %.3f s", c.Name, report.Seconds)
		}
		if rss >= badInputMaxRSS {
			t.Errorf("%s: peak RSS %d bytes", c.Name, rss)
		}
		if report.Seconds > worstSeconds {
			worstSeconds, slowest = report.Seconds, c.Name
		}
		if rss > worstRSS {
			worstRSS, largest = rss, c.Name
		}
	}
	t.Logf("slowest %.1f ms (%s); largest peak RSS %.1f MiB (%s)", worstSeconds*1e3, slowest, float64(worstRSS)/(1<<20), largest)
}
