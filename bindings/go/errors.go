package fleetup

import "fmt"

// Code is a stable fleetup error code; its value is the C constant FLEETUP_ERROR_CODE_<name>.
type Code int32

// The stable error codes. Values are never renumbered or reused.
const (
	CodeNullArgument            Code = 1
	CodeInvalidUTF8             Code = 2
	CodeInvalidJSON             Code = 3
	CodeUnknownOp               Code = 4
	CodeInvalidArgument         Code = 5
	CodeLimitExceeded           Code = 6
	CodeInvalidVersion          Code = 10
	CodeInvalidRange            Code = 11
	CodeInvalidConstraint       Code = 12
	CodePackageNotFound         Code = 20
	CodeInvalidPackage          Code = 21
	CodeInvalidYAML             Code = 22
	CodeInvalidArchive          Code = 23
	CodeIOError                 Code = 24
	CodePackagePolicyValidation Code = 30
	CodeInvalidPolicy           Code = 31
	CodeUpgradeNotAllowed       Code = 32
	CodeTemplateError           Code = 33
	CodeInvalidEdit             Code = 40
	CodeInternal                Code = 100
)

// codeNames holds the contract's string code of every Code, in number order.
var codeNames = []struct {
	code Code
	name string
}{
	{CodeNullArgument, "NULL_ARGUMENT"},
	{CodeInvalidUTF8, "INVALID_UTF8"},
	{CodeInvalidJSON, "INVALID_JSON"},
	{CodeUnknownOp, "UNKNOWN_OP"},
	{CodeInvalidArgument, "INVALID_ARGUMENT"},
	{CodeLimitExceeded, "LIMIT_EXCEEDED"},
	{CodeInvalidVersion, "INVALID_VERSION"},
	{CodeInvalidRange, "INVALID_RANGE"},
	{CodeInvalidConstraint, "INVALID_CONSTRAINT"},
	{CodePackageNotFound, "PACKAGE_NOT_FOUND"},
	{CodeInvalidPackage, "INVALID_PACKAGE"},
	{CodeInvalidYAML, "INVALID_YAML"},
	{CodeInvalidArchive, "INVALID_ARCHIVE"},
	{CodeIOError, "IO_ERROR"},
	{CodePackagePolicyValidation, "PACKAGE_POLICY_VALIDATION"},
	{CodeInvalidPolicy, "INVALID_POLICY"},
	{CodeUpgradeNotAllowed, "UPGRADE_NOT_ALLOWED"},
	{CodeTemplateError, "TEMPLATE_ERROR"},
	{CodeInvalidEdit, "INVALID_EDIT"},
	{CodeInternal, "INTERNAL"},
}

// String returns the contract's string code, e.g. "INVALID_VERSION".
func (c Code) String() string {
	for _, n := range codeNames {
		if n.code == c {
			return n.name
		}
	}
	return fmt.Sprintf("CODE_%d", int32(c))
}

// CodeOf returns the Code for a contract string code such as "INVALID_VERSION", and false
// for a code this package does not know.
func CodeOf(name string) (Code, bool) {
	for _, n := range codeNames {
		if n.name == name {
			return n.code, true
		}
	}
	return 0, false
}

// Error is an error reported by fleetup. It is immutable and safe to share between goroutines.
type Error struct {
	// Code is the stable error code.
	Code Code
	// Message is a human-readable sentence; do not parse it.
	Message string
	// Path is a JSON Pointer (RFC 6901) to the offending argument, or "" when none applies.
	Path string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("fleetup: %s: %s (at %s)", e.Code, e.Message, e.Path)
	}
	return fmt.Sprintf("fleetup: %s: %s", e.Code, e.Message)
}

// Is reports whether target is a sentinel (or any *Error) with the same Code, so that
// errors.Is(err, fleetup.ErrInvalidVersion) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is, one per Code.
var (
	ErrNullArgument            = &Error{Code: CodeNullArgument, Message: "NULL argument"}
	ErrInvalidUTF8             = &Error{Code: CodeInvalidUTF8, Message: "invalid UTF-8"}
	ErrInvalidJSON             = &Error{Code: CodeInvalidJSON, Message: "invalid JSON"}
	ErrUnknownOp               = &Error{Code: CodeUnknownOp, Message: "unknown operation"}
	ErrInvalidArgument         = &Error{Code: CodeInvalidArgument, Message: "invalid argument"}
	ErrLimitExceeded           = &Error{Code: CodeLimitExceeded, Message: "limit exceeded"}
	ErrInvalidVersion          = &Error{Code: CodeInvalidVersion, Message: "invalid version"}
	ErrInvalidRange            = &Error{Code: CodeInvalidRange, Message: "invalid range"}
	ErrInvalidConstraint       = &Error{Code: CodeInvalidConstraint, Message: "invalid constraint"}
	ErrPackageNotFound         = &Error{Code: CodePackageNotFound, Message: "package not found"}
	ErrInvalidPackage          = &Error{Code: CodeInvalidPackage, Message: "invalid package"}
	ErrInvalidYAML             = &Error{Code: CodeInvalidYAML, Message: "invalid YAML"}
	ErrInvalidArchive          = &Error{Code: CodeInvalidArchive, Message: "invalid archive"}
	ErrIO                      = &Error{Code: CodeIOError, Message: "I/O error"}
	ErrPackagePolicyValidation = &Error{Code: CodePackagePolicyValidation, Message: "package policy validation failed"}
	ErrInvalidPolicy           = &Error{Code: CodeInvalidPolicy, Message: "invalid package policy"}
	ErrUpgradeNotAllowed       = &Error{Code: CodeUpgradeNotAllowed, Message: "upgrade not allowed"}
	ErrTemplate                = &Error{Code: CodeTemplateError, Message: "template error"}
	ErrInvalidEdit             = &Error{Code: CodeInvalidEdit, Message: "invalid edit"}
	ErrInternal                = &Error{Code: CodeInternal, Message: "internal error"}
)
