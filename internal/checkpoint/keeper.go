package checkpoint

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// Keeper keeps one stage's state in its file: it loads it at the start,
// says which requests were counted before a restart (Skip), and saves
// the state with the position of the last request counted, every Every
// and at the end. It is the one owner of a stage's state file.
type Keeper struct {
	Path    string
	Command string
	// Settings are what makes a state reusable: a state saved with other
	// settings is refused. Make them with SettingsOf from the stage's
	// own configuration, so that no setting can be forgotten.
	Settings map[string]any
	Every    time.Duration // wall time between saves while the stream runs

	// pos holds the last request counted of each file counted from
	// lately, most recent first: with several followed files (or a
	// rotation), a request is skipped if it is at or before the place of
	// the last one counted from its own file.
	pos   []Position
	last  time.Time
	dirty bool // something was counted since the last save
}

// Load reads the state file and hands its state to restore. found is
// false when there is no state file yet (a fresh start). A state file
// that cannot be used is refused with an *Error.
func (k *Keeper) Load(restore func(state []byte) error) (found bool, err error) {
	f, found, err := Load(k.Path)
	if err != nil || !found {
		return found, err
	}
	if err := f.Check(k.Path, k.Command, k.Settings); err != nil {
		return true, err
	}
	if err := restore(f.State); err != nil {
		return true, &Error{Path: k.Path, Reason: fmt.Sprintf("holds a state logmon cannot go on from: %v", err)}
	}
	k.pos = f.Positions()
	return true, nil
}

// Skip reports whether the request at offset in the file of identity
// file was counted before a restart: it is at or before the saved
// position in the same file.
func (k *Keeper) Skip(file []byte, offset int64) bool {
	if file == nil {
		return false
	}
	// A linear search from the most recent: a request's file is nearly
	// always among the first few (the one file followed, or one of the
	// few followed together), and a string comparison of a []byte
	// conversion allocates nothing.
	for i := range k.pos {
		if string(file) == k.pos[i].File {
			return offset <= k.pos[i].Offset
		}
	}
	return false
}

// MaxPositions bounds the files a state remembers a position in: enough
// for dozens of followed files each rotated a few times, while a state
// stays a few KiB. A file dropped from the list was not counted from in
// the last MaxPositions files': its successors were, and a resume starts
// from them.
const MaxPositions = 64

// Counted notes that a request was counted, and where it came from
// (file nil: from no followed file).
func (k *Keeper) Counted(file []byte, offset int64) {
	k.dirty = true
	if file == nil {
		return
	}
	if len(k.pos) > 0 && string(file) == k.pos[0].File {
		k.pos[0].Offset = offset // the hot path: the same file as before
		return
	}
	i := 0
	for i < len(k.pos) && string(file) != k.pos[i].File {
		i++
	}
	if i == len(k.pos) {
		if len(k.pos) < MaxPositions {
			k.pos = append(k.pos, Position{})
		} else {
			i--
		}
		k.pos[i].File = string(file)
	}
	// Move it to the front.
	p := k.pos[i]
	copy(k.pos[1:i+1], k.pos[:i])
	p.Offset = offset
	k.pos[0] = p
}

// Due reports whether a save is due at now: something was counted since
// the last save, at least Every ago.
func (k *Keeper) Due(now time.Time) bool {
	if !k.dirty || now.Sub(k.last) < k.Every {
		return false
	}
	k.last = now
	return true
}

// Save saves state (marshalled as JSON) with the settings and the
// position of the last request counted.
func (k *Keeper) Save(state any) error {
	f := &File{Command: k.Command}
	var err error
	if f.Settings, err = json.Marshal(k.Settings); err != nil {
		return err
	}
	if f.State, err = json.Marshal(state); err != nil {
		return err
	}
	if len(k.pos) > 0 {
		f.Position = &k.pos[0]
		f.Earlier = k.pos[1:]
	}
	if err := Save(k.Path, f); err != nil {
		return err
	}
	k.dirty = false
	return nil
}

// SettingsOf returns the settings a stage's configuration cfg (a struct)
// stands for: every exported field, named by its json tag or else by its
// name in snake case, a time.Duration written as "10s". A field tagged
// `json:"-"` is not a setting (a lookup function, say); any other field a
// state file cannot hold (a function, a channel) is an error, so that a
// new setting is a setting unless someone says otherwise.
func SettingsOf(cfg any) (map[string]any, error) {
	v := reflect.ValueOf(cfg)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("settings of a %s: want a struct", v.Kind())
	}
	settings := map[string]any{}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = snake(f.Name)
		}
		switch f.Type.Kind() {
		case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Interface:
			return nil, fmt.Errorf("setting %s of %s is a %s: tag it `json:\"-\"` if it does not change the state", f.Name, t, f.Type.Kind())
		}
		val := v.Field(i).Interface()
		if d, ok := val.(time.Duration); ok {
			val = d.String()
		}
		settings[name] = val
	}
	return settings, nil
}

// snake writes a Go field name in snake case: IPv4Prefix -> ipv4_prefix.
func snake(name string) string {
	var b strings.Builder
	var prev rune
	for _, r := range name {
		if unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
		prev = r
	}
	return b.String()
}
