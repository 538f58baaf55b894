package fleetup

/*
#cgo CFLAGS: -I${SRCDIR}/../../crates/fleetup-ffi/include
// The archive is named in full so the static library wins over libfleetup.so beside it
// (-lfleetup would pick the shared one and need LD_LIBRARY_PATH at run time).
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libfleetup.a
// The system libraries the Rust standard library needs, from
// `cargo rustc -p fleetup-ffi --release -- --print native-static-libs`.
#cgo linux LDFLAGS: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#cgo darwin LDFLAGS: -lSystem -lc -lm
#include "fleetup.h"
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime"
	"unsafe"
)

// ABIVersion is the C ABI version this package was written for (FLEETUP_ABI_VERSION).
const ABIVersion = 1

func init() {
	if err := checkABI(ABIVersion, uint32(C.FLEETUP_ABI_VERSION), uint32(C.fleetup_abi_version())); err != nil {
		panic(err)
	}
}

// checkABI returns an error naming every value unless they all agree.
func checkABI(expected, header, runtime uint32) error {
	if expected != header || header != runtime {
		return fmt.Errorf("fleetup: ABI version mismatch: package expects %d, header %d, loaded library %d; rebuild with `just ffi`",
			expected, header, runtime)
	}
	return nil
}

// LibraryVersion returns the version of the linked libfleetup, e.g. "0.1.0".
func LibraryVersion() string {
	return C.GoString(C.fleetup_version())
}

// Option selects node-semver options; combine with |.
type Option uint32

const (
	// Loose accepts loose syntax such as "=1.2.3", "01.2.3" and "1.2.3beta".
	Loose Option = C.FLEETUP_OPTION_LOOSE
	// IncludePrerelease lets prerelease versions satisfy any range (node-semver includePrerelease).
	IncludePrerelease Option = C.FLEETUP_OPTION_INCLUDE_PRERELEASE
)

func optionBits(opts []Option) C.uint32_t {
	var bits Option
	for _, o := range opts {
		bits |= o
	}
	return C.uint32_t(bits)
}

// strPtr borrows a string's bytes for one C call (nil for ""): the library never keeps it.
func strPtr(s string) (*C.uint8_t, C.size_t) {
	if len(s) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// bytesPtr borrows a slice's bytes for one C call (nil for an empty slice).
func bytesPtr(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

// takeError converts and frees a C error; nil for success.
func takeError(e *C.fleetup_error) error {
	if e == nil {
		return nil
	}
	defer C.fleetup_error_free(e)
	err := &Error{
		Code:    Code(C.fleetup_error_code(e)),
		Message: C.GoString(C.fleetup_error_message(e)),
	}
	if p := C.fleetup_error_path(e); p != nil {
		err.Path = C.GoString(p)
	}
	return err
}

// takeBytes copies and frees library-owned bytes.
func takeBytes(b C.fleetup_bytes) []byte {
	defer C.fleetup_bytes_free(b)
	if b.len == 0 {
		return []byte{}
	}
	return C.GoBytes(unsafe.Pointer(b.ptr), C.int(b.len))
}

// Compare compares two versions by node-semver precedence (build metadata ignored) and
// returns -1, 0 or 1. It fails with ErrInvalidVersion (Path "/a" or "/b") when either string
// is not a version, or ErrInvalidUTF8.
func Compare(a, b string, opts ...Option) (int, error) {
	ap, al := strPtr(a)
	bp, bl := strPtr(b)
	var out C.int32_t
	e := C.fleetup_version_compare(ap, al, bp, bl, optionBits(opts), &out)
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	if err := takeError(e); err != nil {
		return 0, err
	}
	return int(out), nil
}

// Satisfies reports whether version satisfies the node-semver range, exactly as Kibana
// decides (including the prerelease rule). An invalid version or range gives false, not an
// error; the only errors are ErrInvalidUTF8 and ErrInvalidArgument (unknown option bits).
func Satisfies(version, rng string, opts ...Option) (bool, error) {
	vp, vl := strPtr(version)
	rp, rl := strPtr(rng)
	var out C.bool
	e := C.fleetup_version_satisfies(vp, vl, rp, rl, optionBits(opts), &out)
	runtime.KeepAlive(version)
	runtime.KeepAlive(rng)
	if err := takeError(e); err != nil {
		return false, err
	}
	return bool(out), nil
}

// DryRunResult is one policy's upgrade preview, as Fleet's dry-run API returns it.
type DryRunResult struct {
	// Name is the package policy's name.
	Name string `json:"name"`
	// Diff holds the current policy and the proposed (upgraded) one, in Kibana's shape.
	Diff []json.RawMessage `json:"diff"`
	// HasErrors reports whether the upgraded policy fails validation.
	HasErrors bool `json:"hasErrors"`
	// Changes is fleetup's field-level change list.
	Changes []json.RawMessage `json:"changes"`
	// Raw is the whole response object.
	Raw json.RawMessage `json:"-"`
}

// jsonBytes accepts []byte, json.RawMessage and string as JSON text and marshals anything else.
func jsonBytes(v any) ([]byte, error) {
	switch t := v.(type) {
	case []byte:
		return t, nil
	case json.RawMessage:
		return t, nil
	case string:
		return []byte(t), nil
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, &Error{Code: CodeInvalidArgument, Message: "cannot encode argument as JSON: " + err.Error()}
		}
		return b, nil
	}
}

// DryRun previews upgrading packagePolicy to the package described by packageInfo (Kibana's
// package policy and PackageInfo JSON, given as []byte, string or any value encoding/json
// accepts). Errors point into the arguments, e.g. Path "/package_policy".
func DryRun(packagePolicy, packageInfo any) (*DryRunResult, error) {
	policy, err := jsonBytes(packagePolicy)
	if err != nil {
		return nil, err
	}
	info, err := jsonBytes(packageInfo)
	if err != nil {
		return nil, err
	}
	pp, pl := bytesPtr(policy)
	ip, il := bytesPtr(info)
	var out C.fleetup_bytes
	e := C.fleetup_upgrade_dry_run(pp, pl, ip, il, &out)
	runtime.KeepAlive(policy)
	runtime.KeepAlive(info)
	if err := takeError(e); err != nil {
		return nil, err
	}
	raw := takeBytes(out)
	res := &DryRunResult{Raw: raw}
	if err := json.Unmarshal(raw, res); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "dry-run result is not the expected JSON: " + err.Error()}
	}
	return res, nil
}

// Plan runs the upgrade-plan operation op (a "plan.*" name) with args and returns its result.
func Plan(op string, args any) (json.RawMessage, error) {
	req, err := request(op, args)
	if err != nil {
		return nil, err
	}
	rp, rl := bytesPtr(req)
	var out C.fleetup_bytes
	e := C.fleetup_plan(rp, rl, &out)
	runtime.KeepAlive(req)
	if err := takeError(e); err != nil {
		return nil, err
	}
	return takeBytes(out), nil
}

func request(op string, args any) ([]byte, error) {
	if args == nil {
		args = struct{}{}
	}
	a, err := jsonBytes(args)
	if err != nil {
		return nil, err
	}
	name, _ := json.Marshal(op)
	req := make([]byte, 0, len(a)+len(name)+20)
	req = append(req, `{"op":`...)
	req = append(req, name...)
	req = append(req, `,"args":`...)
	req = append(req, a...)
	return append(req, '}'), nil
}

// CallRaw runs one raw JSON request and returns the raw response envelope,
// {"ok": …} or {"error": {"code", "message", "path"?}}. Request problems (invalid UTF-8 or
// JSON, unknown operation) are reported inside the envelope, not as an error.
func CallRaw(req []byte) ([]byte, error) {
	rp, rl := bytesPtr(req)
	var out C.fleetup_bytes
	e := C.fleetup_call(rp, rl, &out)
	runtime.KeepAlive(req)
	if err := takeError(e); err != nil {
		return nil, err
	}
	return takeBytes(out), nil
}

// Call runs operation op of the fleetup JSON contract with args (a map, struct, []byte or
// string holding a JSON object, or nil) and returns the result; an error envelope becomes *Error.
func Call(op string, args any) (json.RawMessage, error) {
	req, err := request(op, args)
	if err != nil {
		return nil, err
	}
	resp, err := CallRaw(req)
	if err != nil {
		return nil, err
	}
	var env struct {
		Ok    json.RawMessage `json:"ok"`
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Path    string `json:"path"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp, &env); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "response is not JSON: " + err.Error()}
	}
	if env.Error != nil {
		code, ok := CodeOf(env.Error.Code)
		if !ok {
			code = CodeInternal
		}
		return nil, &Error{Code: code, Message: env.Error.Message, Path: env.Error.Path}
	}
	return env.Ok, nil
}

// cCodes returns the C header's error constants by name (tests compare them with Code).
func cCodes() map[string]Code {
	return map[string]Code{
		"NULL_ARGUMENT":             C.FLEETUP_ERROR_CODE_NULL_ARGUMENT,
		"INVALID_UTF8":              C.FLEETUP_ERROR_CODE_INVALID_UTF8,
		"INVALID_JSON":              C.FLEETUP_ERROR_CODE_INVALID_JSON,
		"UNKNOWN_OP":                C.FLEETUP_ERROR_CODE_UNKNOWN_OP,
		"INVALID_ARGUMENT":          C.FLEETUP_ERROR_CODE_INVALID_ARGUMENT,
		"LIMIT_EXCEEDED":            C.FLEETUP_ERROR_CODE_LIMIT_EXCEEDED,
		"INVALID_VERSION":           C.FLEETUP_ERROR_CODE_INVALID_VERSION,
		"INVALID_RANGE":             C.FLEETUP_ERROR_CODE_INVALID_RANGE,
		"INVALID_CONSTRAINT":        C.FLEETUP_ERROR_CODE_INVALID_CONSTRAINT,
		"PACKAGE_NOT_FOUND":         C.FLEETUP_ERROR_CODE_PACKAGE_NOT_FOUND,
		"INVALID_PACKAGE":           C.FLEETUP_ERROR_CODE_INVALID_PACKAGE,
		"INVALID_YAML":              C.FLEETUP_ERROR_CODE_INVALID_YAML,
		"INVALID_ARCHIVE":           C.FLEETUP_ERROR_CODE_INVALID_ARCHIVE,
		"IO_ERROR":                  C.FLEETUP_ERROR_CODE_IO_ERROR,
		"PACKAGE_POLICY_VALIDATION": C.FLEETUP_ERROR_CODE_PACKAGE_POLICY_VALIDATION,
		"INVALID_POLICY":            C.FLEETUP_ERROR_CODE_INVALID_POLICY,
		"UPGRADE_NOT_ALLOWED":       C.FLEETUP_ERROR_CODE_UPGRADE_NOT_ALLOWED,
		"TEMPLATE_ERROR":            C.FLEETUP_ERROR_CODE_TEMPLATE_ERROR,
		"INVALID_EDIT":              C.FLEETUP_ERROR_CODE_INVALID_EDIT,
		"INTERNAL":                  C.FLEETUP_ERROR_CODE_INTERNAL,
	}
}

// rawCompare calls fleetup_version_compare with explicit pointers (tests use it for NULL cases).
func rawCompare(a *byte, alen int, b string, out bool) Code {
	bp, bl := strPtr(b)
	var o C.int32_t
	op := &o
	if !out {
		op = nil
	}
	e := C.fleetup_version_compare((*C.uint8_t)(unsafe.Pointer(a)), C.size_t(alen), bp, bl, 0, op)
	runtime.KeepAlive(b)
	if err := takeError(e); err != nil {
		return err.(*Error).Code
	}
	return 0
}

// AgentTemplates reads a package's Elastic Agent templates (directory or registry .zip), keyed
// by their path in the package: the agent_templates argument of the agent functions.
func AgentTemplates(path string) (map[string]string, error) {
	raw, err := Call("package.agent_templates", map[string]any{"path": path})
	if err != nil {
		return nil, err
	}
	var out map[string]string
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "agent templates are not the expected JSON: " + err.Error()}
	}
	return out, nil
}

// AgentDiffArgs are the inputs of [AgentDiff]. Policies and packages are Kibana's JSON shapes
// ([]byte, string or any value encoding/json accepts). With AgentTemplates (the target's) the
// proposed policy is compiled first; with CurrentPackageInfo and CurrentAgentTemplates the
// current one is too (otherwise its stored compiled fields are used).
type AgentDiffArgs struct {
	Current, Proposed, PackageInfo any
	AgentTemplates                 map[string]string
	CurrentPackageInfo             any
	CurrentAgentTemplates          map[string]string
	AgentVersion                   string
}

// AgentDiffResult is what Elastic Agent runs before and after an upgrade; secrets are masked.
type AgentDiffResult struct {
	// Before and After are the agent inputs on each side.
	Before []json.RawMessage `json:"before"`
	After  []json.RawMessage `json:"after"`
	// Changes are structured changes (kind, input_type, dataset, path, before, after, message).
	Changes []AgentChange `json:"changes"`
	// Unified is a unified diff of the two inputs: YAML documents ("" when equal).
	Unified string `json:"unified"`
}

// AgentChange is one change in what the agent runs.
type AgentChange struct {
	Kind      string          `json:"kind"`
	InputType string          `json:"input_type"`
	Dataset   string          `json:"dataset,omitempty"`
	Path      string          `json:"path,omitempty"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	Message   string          `json:"message"`
}

// AgentDiff runs the agent.diff operation.
func AgentDiff(a AgentDiffArgs) (*AgentDiffResult, error) {
	args := map[string]any{}
	for name, v := range map[string]any{"current": a.Current, "proposed": a.Proposed, "package_info": a.PackageInfo} {
		b, err := jsonBytes(v)
		if err != nil {
			return nil, err
		}
		args[name] = json.RawMessage(b)
	}
	if a.AgentTemplates != nil {
		args["agent_templates"] = a.AgentTemplates
	}
	if a.CurrentPackageInfo != nil {
		b, err := jsonBytes(a.CurrentPackageInfo)
		if err != nil {
			return nil, err
		}
		args["current_package_info"] = json.RawMessage(b)
	}
	if a.CurrentAgentTemplates != nil {
		args["current_agent_templates"] = a.CurrentAgentTemplates
	}
	if a.AgentVersion != "" {
		args["agent_version"] = a.AgentVersion
	}
	raw, err := Call("agent.diff", args)
	if err != nil {
		return nil, err
	}
	var out AgentDiffResult
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "agent diff is not the expected JSON: " + err.Error()}
	}
	return &out, nil
}

// StandaloneInputs returns the inputs: section of a standalone elastic-agent.yml for a package
// policy, as YAML text.
func StandaloneInputs(packagePolicy, packageInfo any, agentTemplates map[string]string) (string, error) {
	policy, err := jsonBytes(packagePolicy)
	if err != nil {
		return "", err
	}
	info, err := jsonBytes(packageInfo)
	if err != nil {
		return "", err
	}
	raw, err := Call("agent.standalone_inputs", map[string]any{
		"package_policy": json.RawMessage(policy), "package_info": json.RawMessage(info), "agent_templates": agentTemplates,
	})
	if err != nil {
		return "", err
	}
	var out struct {
		YAML string `json:"yaml"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", &Error{Code: CodeInternal, Message: "standalone inputs are not the expected JSON: " + err.Error()}
	}
	return out.YAML, nil
}
