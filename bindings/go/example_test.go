package fleetup_test

import (
	"errors"
	"fmt"

	fleetup "example.invalid/fleetup/bindings/go"
)

// The body of this example is the Go snippet of README.md (TestDocSnippet checks that).
func ExampleSatisfies() {
	ok, _ := fleetup.Satisfies("9.1.0", "^8.13.0 || ^9.0.0")
	pre, _ := fleetup.Satisfies("9.1.0-SNAPSHOT", "^8.13.0 || ^9.0.0")
	_, err := fleetup.Compare("1.2.3", "not a version")
	fmt.Println(ok, pre, errors.Is(err, fleetup.ErrInvalidVersion))
	// Output: true false true
}

func ExampleCompare() {
	c, _ := fleetup.Compare("1.6.0-preview9", "1.6.0-preview10")
	fmt.Println(c)
	// Output: 1
}

func ExampleSatisfies_includePrerelease() {
	ok, _ := fleetup.Satisfies("9.1.0-SNAPSHOT", "^8.13.0 || ^9.0.0", fleetup.IncludePrerelease)
	fmt.Println(ok)
	// Output: true
}

func ExampleCall() {
	result, err := fleetup.Call("semver.valid", map[string]any{"version": " v1.2.3 "})
	fmt.Println(string(result), err)
	// Output: "1.2.3" <nil>
}

func ExampleError() {
	_, err := fleetup.Call("no.such.op", nil)
	var fe *fleetup.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Code, fe.Path, errors.Is(err, fleetup.ErrUnknownOp))
	}
	// Output: UNKNOWN_OP /op true
}
