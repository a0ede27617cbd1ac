package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type settings struct {
	Window   int64 `json:"window"`
	Lateness int64 `json:"lateness"`
}

func saved(t *testing.T) (path string, data []byte) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "alert.state")
	f := &File{
		Command:  "alert",
		Settings: json.RawMessage(`{"window":120,"lateness":5}`),
		Position: &Position{File: "9f86d081884c7d65", Offset: 1234},
		State:    json.RawMessage(`{"firing":true,"counts":[[10,3]]}`),
	}
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestRoundTrip(t *testing.T) {
	path, _ := saved(t)
	f, found, err := Load(path)
	if err != nil || !found {
		t.Fatalf("Load = %v, %v", found, err)
	}
	if f.Command != "alert" || *f.Position != (Position{"9f86d081884c7d65", 1234}) || string(f.State) != `{"firing":true,"counts":[[10,3]]}` {
		t.Errorf("loaded %+v", f)
	}
	if err := f.Check(path, "alert", settings{120, 5}); err != nil {
		t.Errorf("Check with the same settings: %v", err)
	}
	// Saving again replaces the file and leaves no temporary file, not
	// even one a process killed while saving left.
	os.WriteFile(filepath.Join(filepath.Dir(path), ".alert.state.123.tmp"), []byte("half"), 0o600)
	if err := Save(path, &File{Command: "alert", Settings: json.RawMessage(`{}`), State: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after two saves, want 1", len(entries))
	}
	if f, _, err := Load(path); err != nil || f.Position != nil {
		t.Errorf("second save: %+v, %v", f, err)
	}
}

func TestNoFile(t *testing.T) {
	f, found, err := Load(filepath.Join(t.TempDir(), "none"))
	if f != nil || found || err != nil {
		t.Errorf("Load of a missing file = %v, %v, %v; want a fresh start", f, found, err)
	}
}

// TestRefused: every way a state file can be unusable is refused with a
// message that says which, never read as a fresh start.
func TestRefused(t *testing.T) {
	_, good := saved(t)
	nl := bytes.IndexByte(good, '\n')
	flipped := bytes.Clone(good)
	flipped[nl+5] ^= 0x20
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "is empty"},
		{"all zeros", make([]byte, 4096), "only zero bytes"},
		{"another program's file", []byte("PK\x03\x04 zip"), "is not a logmon state file"},
		{"JSON but no header", []byte(`{"command":"alert"}` + "\n"), "is not a logmon state file"},
		{"header only, cut short", good[:nl], "is not a logmon state file"},
		{"cut after the header", good[:nl+1], "is cut short"},
		{"cut in the middle", good[:len(good)/2], "is cut short"},
		{"last byte missing", good[:len(good)-1], "is cut short"},
		{"damaged byte", flipped, "is damaged: checksum"},
		{"bytes appended", append(bytes.Clone(good), "x\n"...), "bytes after its state"},
		{"another version", bytes.Replace(good, []byte(fmt.Sprintf("logmon-state %d ", Version)), []byte(fmt.Sprintf("logmon-state %d ", Version+1)), 1), fmt.Sprintf("another version of logmon (state format %d", Version+1)},
		{"damaged header", bytes.Replace(good, []byte(fmt.Sprintf("logmon-state %d ", Version)), []byte(fmt.Sprintf("logmon-state %d zz", Version)), 1), "damaged header"},
		{"header without version", []byte("logmon-state\n{}\n"), "is not a logmon state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, found, err := Load(path)
			var e *Error
			if !found || !errors.As(err, &e) {
				t.Fatalf("Load = found %v, %v; want a refusal", found, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--state-reset") || !strings.Contains(err.Error(), path) {
				t.Errorf("error (-want +got):\n-%s\n+%s", tt.want, err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	path, _ := saved(t)
	f, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		command  string
		settings any
		want     string
	}{
		{"other command", "stats", settings{120, 5}, `is the state of logmon "alert", not of logmon stats`},
		{"other window", "alert", settings{60, 5}, `other settings: {"window":120,"lateness":5}, now {"window":60,"lateness":5}`},
		{"other lateness", "alert", settings{120, 0}, "other settings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.Check(path, tt.command, tt.settings)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check error (-want +got):\n-%s\n+%v", tt.want, err)
			}
		})
	}
}

// TestDirectory: a directory is refused as a state file (exit 3, not an
// I/O error), without suggesting --state-reset, which cannot help.
func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	_, found, err := Load(dir)
	var e *Error
	if !found || !errors.As(err, &e) {
		t.Fatalf("Load(a directory) = found %v, %v; want a refusal", found, err)
	}
	if want := "state file " + dir + " is a directory"; !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "--state-reset") {
		t.Errorf("error %q, want it to start %q and not suggest --state-reset", err, want)
	}
	if err := Unusable(filepath.Join(dir, "none")); err != nil {
		t.Errorf("Unusable(a file not there yet) = %v", err)
	}
}

// TestSaveErrorNamesStateFile: an error while saving names the state
// file, not the temporary file written beside it.
func TestSaveErrorNamesStateFile(t *testing.T) {
	dir := t.TempDir()
	busy := filepath.Join(dir, "busy.state") // a directory not empty: the rename over it fails
	os.MkdirAll(filepath.Join(busy, "x"), 0o755)
	for _, path := range []string{busy, filepath.Join(dir, "missing", "a.state")} {
		err := Save(path, &File{Command: "alert", Settings: json.RawMessage(`{}`), State: json.RawMessage(`{}`)})
		if err == nil || !strings.HasPrefix(err.Error(), "writing state file "+path+": ") || strings.Contains(err.Error(), ".tmp") {
			t.Errorf("Save(%s) = %v; want an error that names the state file, not the temporary one", path, err)
		}
	}
}
