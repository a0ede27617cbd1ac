package checkpoint

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestNewSettingRefusesOldState: the settings a state is saved with are
// derived from the stage's configuration, so that a setting added to it
// is one that decides whether a state is reusable, without anyone having
// to remember a list: a state saved before the setting existed is refused.
func TestNewSettingRefusesOldState(t *testing.T) {
	type before struct {
		Interval time.Duration `json:"interval"`
		Top      int
		Lookup   func(string) string `json:"-"`
	}
	type after struct {
		Interval time.Duration `json:"interval"`
		Top      int
		Lookup   func(string) string `json:"-"`
		MaxDepth int                 // the new setting
	}
	path := filepath.Join(t.TempDir(), "state")
	old, err := SettingsOf(before{Interval: 10 * time.Second, Top: 5})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"interval": "10s", "top": 5}; len(old) != 2 || old["interval"] != want["interval"] || old["top"] != want["top"] {
		t.Fatalf("settings %v, want %v", old, want)
	}
	k := &Keeper{Path: path, Command: "stats", Settings: old}
	k.Counted([]byte("file"), 42)
	if err := k.Save(map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	restore := func([]byte) error { return nil }
	if found, err := (&Keeper{Path: path, Command: "stats", Settings: old}).Load(restore); !found || err != nil {
		t.Fatalf("the same settings: found %v, err %v", found, err)
	}
	now, err := SettingsOf(after{Interval: 10 * time.Second, Top: 5, MaxDepth: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&Keeper{Path: path, Command: "stats", Settings: now}).Load(restore)
	var refused *Error
	if !errors.As(err, &refused) {
		t.Fatalf("a state saved without the new setting: err %v, want it refused", err)
	}
}

// TestSettingsOfRefusesFunctions: a field a state file cannot hold must
// say it is no setting, or SettingsOf fails (and the test of the stage
// with it).
func TestSettingsOfRefusesFunctions(t *testing.T) {
	if _, err := SettingsOf(struct{ AS func() }{}); err == nil {
		t.Error("a function field taken as a setting")
	}
}

func TestKeeperSkip(t *testing.T) {
	k := &Keeper{}
	k.Counted([]byte("a"), 100)
	for _, tt := range []struct {
		file string
		off  int64
		want bool
	}{{"a", 99, true}, {"a", 100, true}, {"a", 101, false}, {"b", 1, false}} {
		if got := k.Skip([]byte(tt.file), tt.off); got != tt.want {
			t.Errorf("Skip(%s, %d) = %v, want %v", tt.file, tt.off, got, tt.want)
		}
	}
	if k.Skip(nil, 0) {
		t.Error("a request from no file skipped")
	}
}
