package fleetup

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

type vectorCase struct {
	Name       string          `json:"name"`
	Op         string          `json:"op"`
	Args       json.RawMessage `json:"args"`
	Request    *string         `json:"request"`
	RequestHex *string         `json:"request_hex"`
	Expect     json.RawMessage `json:"expect"`
	Error      string          `json:"error"`
	Path       *string         `json:"path"`
	Response   json.RawMessage `json:"response"`
}

type suite struct {
	file  string
	Cases []vectorCase `json:"cases"`
	Codes []struct {
		Code   string `json:"code"`
		Number int32  `json:"number"`
	} `json:"codes"`
}

func loadSuites(t *testing.T) []suite {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "tests", "vectors", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector files: %v", err)
	}
	sort.Strings(files)
	var out []suite
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := suite{file: filepath.Base(f)}
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, s)
	}
	return out
}

func (c vectorCase) requestBytes(t *testing.T) []byte {
	switch {
	case c.RequestHex != nil:
		b, err := hex.DecodeString(*c.RequestHex)
		if err != nil {
			t.Fatal(err)
		}
		return b
	case c.Request != nil:
		return []byte(*c.Request)
	default:
		req, err := request(c.Op, c.Args)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
}

// want returns the expected envelope as a generic value.
func (c vectorCase) want(t *testing.T) map[string]any {
	var w map[string]any
	switch {
	case c.Expect != nil:
		var v any
		if err := json.Unmarshal(c.Expect, &v); err != nil {
			t.Fatal(err)
		}
		w = map[string]any{"ok": v}
	case c.Error != "":
		e := map[string]any{"code": c.Error}
		if c.Path != nil {
			e["path"] = *c.Path
		}
		w = map[string]any{"error": e}
	default:
		if err := json.Unmarshal(c.Response, &w); err != nil {
			t.Fatalf("%s: no expect/error/response", c.Name)
		}
	}
	return w
}

func checkEnvelope(t *testing.T, want map[string]any, got []byte) {
	t.Helper()
	var g map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("response is not JSON: %s", got)
	}
	if ok, isOk := want["ok"]; isOk || want["error"] == nil {
		if !reflect.DeepEqual(map[string]any{"ok": ok}, g) {
			t.Errorf("want {\"ok\": %v}, got %s", ok, got)
		}
		return
	}
	we := want["error"].(map[string]any)
	ge, _ := g["error"].(map[string]any)
	if ge == nil || ge["code"] != we["code"] {
		t.Errorf("want error %v, got %s", we["code"], got)
		return
	}
	if p, has := we["path"]; has && ge["path"] != p {
		t.Errorf("want path %q, got %s", p, got)
	}
}

func TestVectorsGenericCall(t *testing.T) {
	n := 0
	for _, s := range loadSuites(t) {
		for _, c := range s.Cases {
			n++
			t.Run(s.file+"/"+c.Name, func(t *testing.T) {
				resp, err := CallRaw(c.requestBytes(t))
				if err != nil {
					t.Fatalf("CallRaw fails only on boundary errors: %v", err)
				}
				checkEnvelope(t, c.want(t), resp)
			})
		}
	}
	if n < 50 {
		t.Fatalf("only %d cases", n)
	}
}

func TestVectorsTypedFunctions(t *testing.T) {
	n := 0
	for _, s := range loadSuites(t) {
		for _, c := range s.Cases {
			if c.Op != "semver.compare" && c.Op != "semver.satisfies" {
				continue
			}
			var args struct {
				A, B, Version, Range *string
				Options              struct {
					Loose             bool `json:"loose"`
					IncludePrerelease bool `json:"include_prerelease"`
				}
			}
			if json.Unmarshal(c.Args, &args) != nil {
				continue // typed calls cannot express mistyped arguments
			}
			var opts []Option
			if args.Options.Loose {
				opts = append(opts, Loose)
			}
			if args.Options.IncludePrerelease {
				opts = append(opts, IncludePrerelease)
			}
			var result any
			var err error
			switch {
			case c.Op == "semver.compare" && args.A != nil && args.B != nil:
				result, err = Compare(*args.A, *args.B, opts...)
			case c.Op == "semver.satisfies" && args.Version != nil && args.Range != nil:
				result, err = Satisfies(*args.Version, *args.Range, opts...)
			default:
				continue // a missing argument is a generic-call case only
			}
			n++
			t.Run(s.file+"/"+c.Name, func(t *testing.T) {
				var env []byte
				if err != nil {
					var fe *Error
					if !errors.As(err, &fe) {
						t.Fatalf("not a *fleetup.Error: %v", err)
					}
					env, _ = json.Marshal(map[string]any{"error": map[string]any{"code": fe.Code.String(), "path": fe.Path}})
				} else {
					env, _ = json.Marshal(map[string]any{"ok": result})
				}
				checkEnvelope(t, c.want(t), env)
			})
		}
	}
	if n < 40 {
		t.Fatalf("only %d typed cases", n)
	}
}

func TestErrorTableMatchesVectorsCAndLibrary(t *testing.T) {
	var table []struct {
		Code   string `json:"code"`
		Number int32  `json:"number"`
	}
	for _, s := range loadSuites(t) {
		if s.file == "errors.json" {
			table = s.Codes
		}
	}
	if len(table) != len(codeNames) {
		t.Fatalf("errors.json has %d codes, Go has %d", len(table), len(codeNames))
	}
	c := cCodes()
	if len(c) != len(codeNames) {
		t.Fatalf("C has %d codes, Go has %d", len(c), len(codeNames))
	}
	live, err := Call("meta.error_codes", nil)
	if err != nil {
		t.Fatal(err)
	}
	var liveTable []struct {
		Code   string `json:"code"`
		Number int32  `json:"number"`
	}
	if err := json.Unmarshal(live, &liveTable); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(liveTable, table) {
		t.Errorf("meta.error_codes %v != errors.json %v", liveTable, table)
	}
	for i, row := range table {
		if codeNames[i].name != row.Code || int32(codeNames[i].code) != row.Number {
			t.Errorf("row %d: Go %v/%d, vectors %s/%d", i, codeNames[i].name, codeNames[i].code, row.Code, row.Number)
		}
		if c[row.Code] != Code(row.Number) {
			t.Errorf("C constant for %s is %d, want %d", row.Code, c[row.Code], row.Number)
		}
		if got, ok := CodeOf(row.Code); !ok || got.String() != row.Code {
			t.Errorf("CodeOf(%s) = %v, %v", row.Code, got, ok)
		}
	}
}

func TestSentinelsAndErrorsIs(t *testing.T) {
	sentinels := []*Error{ErrNullArgument, ErrInvalidUTF8, ErrInvalidJSON, ErrUnknownOp, ErrInvalidArgument,
		ErrLimitExceeded, ErrInvalidVersion, ErrInvalidRange, ErrInvalidConstraint, ErrPackageNotFound,
		ErrInvalidPackage, ErrInvalidYAML, ErrInvalidArchive, ErrIO, ErrPackagePolicyValidation,
		ErrInvalidPolicy, ErrUpgradeNotAllowed, ErrTemplate, ErrInvalidEdit, ErrInternal}
	if len(sentinels) != len(codeNames) {
		t.Fatalf("%d sentinels for %d codes", len(sentinels), len(codeNames))
	}
	for i, s := range sentinels {
		if s.Code != codeNames[i].code {
			t.Errorf("sentinel %d has code %v", i, s.Code)
		}
	}
	_, err := Compare("1.2.3", "nope")
	if !errors.Is(err, ErrInvalidVersion) || errors.Is(err, ErrInvalidRange) {
		t.Fatalf("errors.Is mismatch for %v", err)
	}
	var fe *Error
	if !errors.As(err, &fe) || fe.Path != "/b" || !strings.Contains(fe.Message, "nope") {
		t.Fatalf("unexpected %#v", err)
	}
	wrapped := fmt.Errorf("checking policy: %w", err)
	if !errors.Is(wrapped, ErrInvalidVersion) {
		t.Fatal("errors.Is through wrapping")
	}
	if _, err := Call("no.such.op", nil); !errors.Is(err, ErrUnknownOp) {
		t.Fatalf("want ErrUnknownOp, got %v", err)
	}
}

func TestBoundaries(t *testing.T) {
	if code := rawCompare(nil, 3, "1.0.0", true); code != CodeNullArgument {
		t.Errorf("NULL with a length: %v", code)
	}
	if code := rawCompare(nil, 0, "1.0.0", true); code != CodeInvalidVersion {
		t.Errorf("(NULL, 0) is the empty string: %v", code)
	}
	v := []byte("1.0.0")
	if code := rawCompare(&v[0], len(v), "1.0.0", false); code != CodeNullArgument {
		t.Errorf("NULL out: %v", code)
	}
	if _, err := Compare("1.2.\xff", "1.0.0"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := Satisfies("1.0.0", "*", Option(8)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unknown option bits: %v", err)
	}
	for _, raw := range [][]byte{nil, {}, []byte("{"), []byte("\xc0\xaf"), []byte("[]")} {
		resp, err := CallRaw(raw)
		if err != nil || !bytes.Contains(resp, []byte(`"error"`)) {
			t.Errorf("CallRaw(%q) = %s, %v", raw, resp, err)
		}
	}
	if _, err := DryRun(`{"name":`, "{}"); !errors.Is(err, ErrInvalidJSON) || err.(*Error).Path != "/package_policy" {
		t.Errorf("DryRun garbage: %v", err)
	}
	if _, err := DryRun(map[string]any{}, []byte("\xff")); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("DryRun invalid UTF-8: %v", err)
	}
	if _, err := DryRun(func() {}, "{}"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("DryRun unencodable: %v", err)
	}
	if _, err := Plan("semver.valid", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Plan non-plan op: %v", err)
	}
	if _, err := Plan("plan.no_such_plan", map[string]any{}); !errors.Is(err, ErrUnknownOp) {
		t.Errorf("Plan unknown op: %v", err)
	}
}

func TestABI(t *testing.T) {
	if err := checkABI(1, 1, 1); err != nil {
		t.Fatal(err)
	}
	err := checkABI(1, 1, 2)
	if err == nil || !strings.Contains(err.Error(), "1") || !strings.Contains(err.Error(), "2") {
		t.Fatalf("mismatch not reported with both values: %v", err)
	}
	if LibraryVersion() == "" {
		t.Fatal("empty library version")
	}
}

func TestManyGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				v := fmt.Sprintf("1.%d.%d", g, i)
				ok, err := Satisfies(v, "^1.0.0")
				if err != nil || !ok {
					errs <- fmt.Errorf("Satisfies(%s) = %v, %v", v, ok, err)
					return
				}
				want := 1
				if g == 0 && i == 0 {
					want = 0
				}
				if c, err := Compare(v, "1.0.0"); err != nil || c != want {
					errs <- fmt.Errorf("Compare(%s) = %v, %v", v, c, err)
					return
				}
				if _, err := Call(fmt.Sprintf("nope.%d", i), nil); !errors.Is(err, ErrUnknownOp) {
					errs <- fmt.Errorf("Call: %v", err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestDocSnippet checks that ExampleSatisfies is exactly the Go snippet of README.md, with
// the output the doc shows; `go test` runs the example and checks that output.
func TestDocSnippet(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "<!-- snippet: go -->\n```go\n")
	if !ok {
		t.Fatal("README.md has no go snippet")
	}
	code, rest, _ := strings.Cut(rest, "```\n\n```text\n")
	output, _, _ := strings.Cut(rest, "```")
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(example), "func ExampleSatisfies() {\n")
	if !ok {
		t.Fatal("no ExampleSatisfies")
	}
	body, _, _ = strings.Cut(body, "\n}\n")
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	want := strings.Split(strings.TrimRight(code, "\n"), "\n")
	want = append(want, "// Output: "+strings.TrimRight(output, "\n"))
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("ExampleSatisfies body\n%q\ndiffers from the doc snippet\n%q", lines, want)
	}
}

func BenchmarkSatisfies(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Satisfies("9.1.0", "^8.13.0 || ^9.0.0"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Compare("1.6.0-preview9", "1.6.0-preview10"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCallRawSatisfies(b *testing.B) {
	req := []byte(`{"op":"semver.satisfies","args":{"version":"9.1.0","range":"^8.13.0 || ^9.0.0"}}`)
	for i := 0; i < b.N; i++ {
		if _, err := CallRaw(req); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPlanReturnsTheOperationResult(t *testing.T) {
	policy := map[string]any{"name": "web-1", "package": map[string]any{"name": "acme_web", "version": "1.4.0"}, "inputs": []any{}}
	raw, err := Plan("plan.changes", map[string]any{
		"current": policy, "proposed": policy,
		"package_info": map[string]any{"name": "acme_web", "version": "1.4.0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var result struct {
		Changes []json.RawMessage `json:"changes"`
	}
	if err := json.Unmarshal(raw, &result); err != nil || result.Changes == nil || len(result.Changes) != 0 {
		t.Fatalf("unexpected plan result %s (%v)", raw, err)
	}
}

func TestDryRunOnTheBundledExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "policies.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &list); err != nil || len(list.Items) == 0 {
		t.Fatalf("examples/policies.json: %v", err)
	}
	pkg, _ := filepath.Abs(filepath.Join("..", "..", "examples", "packages", "acme_web-2.0.0"))
	info, err := Call("package.load", map[string]string{"path": pkg})
	if err != nil {
		t.Fatal(err)
	}
	for _, policy := range list.Items {
		res, err := DryRun(policy, info)
		if err != nil {
			t.Fatal(err)
		}
		generic, err := Call("fleet.upgrade_dry_run", map[string]json.RawMessage{"package_policy": policy, "package_info": info})
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		_ = json.Unmarshal(res.Raw, &a)
		_ = json.Unmarshal(generic, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("DryRun and Call differ for %s", policy[:40])
		}
		var p struct{ Name string }
		_ = json.Unmarshal(policy, &p)
		if res.Name != p.Name || len(res.Diff) != 2 {
			t.Errorf("unexpected result %q with %d diff entries", res.Name, len(res.Diff))
		}
	}
}

func TestAgentDiffAndStandaloneOnTheBundledExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "policies.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(data, &list); err != nil || len(list.Items) == 0 {
		t.Fatalf("examples/policies.json: %v", err)
	}
	oldDir, _ := filepath.Abs(filepath.Join("..", "..", "examples", "packages", "acme_web-1.4.0"))
	newDir, _ := filepath.Abs(filepath.Join("..", "..", "examples", "packages", "acme_web-2.0.0"))
	oldInfo, err := Call("package.load", map[string]string{"path": oldDir})
	if err != nil {
		t.Fatal(err)
	}
	newInfo, err := Call("package.load", map[string]string{"path": newDir})
	if err != nil {
		t.Fatal(err)
	}
	oldT, err := AgentTemplates(oldDir)
	if err != nil {
		t.Fatal(err)
	}
	newT, err := AgentTemplates(newDir)
	if err != nil {
		t.Fatal(err)
	}
	policy := list.Items[0]
	dry, err := DryRun(policy, newInfo)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := AgentDiff(AgentDiffArgs{
		Current: policy, Proposed: dry.Diff[1], PackageInfo: newInfo, AgentTemplates: newT,
		CurrentPackageInfo: oldInfo, CurrentAgentTemplates: oldT,
	})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range diff.Changes {
		if c.Kind == "key_added" && c.Path == "/exclude_files" {
			found = true
		}
	}
	if !found || !strings.HasPrefix(diff.Unified, "--- acme_web 1.4.0") {
		t.Errorf("unexpected agent diff: %+v", diff.Changes)
	}
	yaml, err := StandaloneInputs(policy, oldInfo, oldT)
	if err != nil || !strings.HasPrefix(yaml, "inputs:\n") || !strings.Contains(yaml, "use_output: default") {
		t.Errorf("standalone inputs: %q (%v)", yaml, err)
	}
	if _, err := StandaloneInputs(policy, oldInfo, map[string]string{}); !errors.Is(err, ErrTemplate) {
		t.Errorf("missing templates: want ErrTemplate, got %v", err)
	}
}

func BenchmarkDryRun(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "policies.json"))
	if err != nil {
		b.Skip("no example")
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	_ = json.Unmarshal(data, &list)
	pkg, _ := filepath.Abs(filepath.Join("..", "..", "examples", "packages", "acme_web-2.0.0"))
	info, err := Call("package.load", map[string]string{"path": pkg})
	if err != nil || len(list.Items) == 0 {
		b.Skip("example unavailable")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DryRun(list.Items[0], info); err != nil {
			b.Fatal(err)
		}
	}
}
