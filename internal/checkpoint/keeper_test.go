package checkpoint

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
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

// TestKeeperSeveralFiles: with several followed files, each file's last
// request counted is remembered, so a request is skipped by its own
// file's place, whichever file was counted last; the places survive a
// save and a load, most recent first.
func TestKeeperSeveralFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	k := &Keeper{Path: path, Command: "stats", Settings: map[string]any{}}
	k.Counted([]byte("a"), 10)
	k.Counted([]byte("b"), 500)
	k.Counted([]byte("a"), 20)
	k.Counted([]byte("c"), 7)
	k.Counted(nil, 3)
	for _, tt := range []struct {
		file string
		off  int64
		want bool
	}{{"a", 20, true}, {"a", 21, false}, {"b", 500, true}, {"b", 501, false}, {"c", 7, true}, {"d", 0, false}} {
		if got := k.Skip([]byte(tt.file), tt.off); got != tt.want {
			t.Errorf("Skip(%s, %d) = %v, want %v", tt.file, tt.off, got, tt.want)
		}
	}
	if err := k.Save(struct{}{}); err != nil {
		t.Fatal(err)
	}
	f, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Position{{"c", 7}, {"a", 20}, {"b", 500}}
	if got := f.Positions(); !reflect.DeepEqual(got, want) {
		t.Errorf("saved positions %v, want %v", got, want)
	}
	k2 := &Keeper{Path: path, Command: "stats", Settings: map[string]any{}}
	if _, err := k2.Load(func([]byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if !k2.Skip([]byte("b"), 400) || k2.Skip([]byte("b"), 501) {
		t.Error("a loaded keeper does not skip by the earlier file's place")
	}
}

// TestKeeperBounded: a keeper remembers the MaxPositions files counted
// from last, however many it has seen.
func TestKeeperBounded(t *testing.T) {
	k := &Keeper{}
	for i := range 3 * MaxPositions {
		k.Counted([]byte(fmt.Sprint("f", i)), int64(i))
	}
	if len(k.pos) != MaxPositions {
		t.Fatalf("%d positions kept, want %d", len(k.pos), MaxPositions)
	}
	last := 3*MaxPositions - 1
	if k.pos[0] != (Position{fmt.Sprint("f", last), int64(last)}) {
		t.Errorf("most recent %v", k.pos[0])
	}
	if !k.Skip([]byte(fmt.Sprint("f", last-MaxPositions+1)), 0) || k.Skip([]byte(fmt.Sprint("f", last-MaxPositions)), 0) {
		t.Error("not the last MaxPositions files kept")
	}
}
