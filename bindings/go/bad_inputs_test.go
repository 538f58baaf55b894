package fleetup

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// TestBadInputs runs tests/bad_inputs/catalogue.json through CallRaw: every hostile request gets
// its stable error code in the response envelope.
func TestBadInputs(t *testing.T) {
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
	for _, c := range doc.Cases {
		var req []byte
		switch {
		case c.Request != nil:
			req = []byte(*c.Request)
		case c.RequestHex != nil:
			if req, err = hex.DecodeString(*c.RequestHex); err != nil {
				t.Fatal(err)
			}
		case c.RequestGen != nil:
			g := c.RequestGen
			req = []byte(g.Prefix + strings.Repeat(g.Unit, g.Count) + g.Suffix)
		}
		out, err := CallRaw(req)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		var resp struct {
			Error *struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(out, &resp); err != nil || resp.Error == nil {
			t.Errorf("%s: no error envelope: %s", c.Name, out)
			continue
		}
		if resp.Error.Code != c.Error {
			t.Errorf("%s: got %s, want %s", c.Name, resp.Error.Code, c.Error)
		}
	}
}
