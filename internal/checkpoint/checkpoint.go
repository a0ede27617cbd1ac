// Package checkpoint keeps a stage's state in a file, so that a restarted
// `logmon stats --state FILE` or `logmon alert --state FILE` goes on as if
// it had never stopped. It is the one owner of state: the file format
// (this file), and the Keeper (keeper.go) that loads, saves, says which
// requests were counted before a restart, and holds the Position that
// parse --follow --resume starts from. The settings a state is saved with
// are derived from the stage's own configuration (SettingsOf).
//
// A state file is two lines: a header and a JSON body.
//
//	logmon-state <Version> <crc32c of the body, 8 hex digits> <body length>
//	{"command":"alert","settings":{...},"position":{...},"state":{...}}
//
// The header lets Load tell apart, and refuse with a message that says
// which, a file that is empty, cut short, damaged, not a state file at
// all, or written by another version of the format; the body says which
// command with which settings wrote it. Nothing is ever reset silently:
// the caller decides to start afresh (--state-reset).
//
// Save writes atomically: a temporary file in the same directory, fsync,
// rename over the old file, fsync of the directory. A crash at any moment
// leaves either the old state or the new one, never a mix.
package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Version is the state format this logmon writes and reads. 2: stats
// keeps its top lists and distinct clients as bounded sketches (1 had
// exact maps).
const Version = 2

const magic = "logmon-state"

// MaxSize bounds what Load reads: a state holds at most a window of
// per-second counts or a few open intervals.
const MaxSize = 1 << 30

// Position is where the last line a stage counted came from, and so where
// a followed file is resumed from (parse --follow --resume): the identity
// of its file (see follow.Identity) and the byte offset of the line's
// start in it. A resume starts just after that line.
type Position struct {
	File   string `json:"file_id"`
	Offset int64  `json:"offset"`
}

// File is the body of a state file.
type File struct {
	Command  string          `json:"command"`
	Settings json.RawMessage `json:"settings"`
	// Position is the place of the last line counted; Earlier, the last
	// line counted of each other file counted from lately, most recent
	// first (at most MaxPositions in all): the files a parse following
	// several files (--follow a --follow b) reads, and the files a
	// followed log was rotated through. A resume starts each followed
	// file after the most recent of them it finds in its file's set.
	Position *Position       `json:"position,omitempty"`
	Earlier  []Position      `json:"earlier_positions,omitempty"`
	State    json.RawMessage `json:"state"`
}

// Positions are f's positions, most recent first.
func (f *File) Positions() []Position {
	if f.Position == nil {
		return nil
	}
	return append([]Position{*f.Position}, f.Earlier...)
}

// Error is a state file refused: it exists but cannot be used. logmon
// exits with its own code for it (see README), and never starts afresh
// without --state-reset.
type Error struct {
	Path   string
	Reason string
	// NotFile: the path can hold no state (a directory), so starting
	// afresh would not help: the message does not suggest --state-reset.
	NotFile bool
}

func (e *Error) Error() string {
	if e.NotFile {
		return fmt.Sprintf("state file %s %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("state file %s %s (to start afresh on purpose, use --state-reset)", e.Path, e.Reason)
}

// Unusable refuses, with an *Error, a path that cannot be a state file
// whatever it holds: a directory. It is nil for any other path, there or
// not. Load checks it; so does a command that starts afresh (--state-reset)
// and would find out only when it first saves.
func Unusable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return &Error{Path: path, Reason: "is a directory: --state and --resume name a file, which logmon creates when there is none", NotFile: true}
	}
	return nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Save writes f to path atomically.
func Save(path string, f *File) error {
	body, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s %d %08x %d\n", magic, Version, crc32.Checksum(body, castagnoli), len(body))
	buf.Write(body)
	buf.WriteByte('\n')
	return writeAtomic(path, buf.Bytes())
}

func writeAtomic(path string, data []byte) error {
	// Errors name the state file and the step, not the temporary file
	// (their *fs.PathError's path): that is logmon's business.
	fail := func(step string, err error) error {
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &pe):
			err = pe.Err
		case errors.As(err, &le):
			err = le.Err
		}
		return fmt.Errorf("writing state file %s: %s: %w", path, step, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fail("creating a temporary file beside it", err)
	}
	step := "writing"
	_, err = tmp.Write(data)
	if err == nil {
		step = "syncing"
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		step, err = "closing", cerr
	}
	if err == nil {
		step = "renaming the temporary file over it"
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fail(step, err)
	}
	// A process killed while saving leaves its temporary file behind:
	// clear those now that a whole state is in place.
	if stale, _ := filepath.Glob(filepath.Join(dir, "."+base+".*.tmp")); len(stale) > 0 {
		for _, name := range stale {
			os.Remove(name)
		}
	}
	// The rename is durable only once the directory is synced. Windows
	// cannot open a directory for that; its rename is durable as is.
	if runtime.GOOS != "windows" {
		d, err := os.Open(dir)
		if err != nil {
			return fail("opening its directory", err)
		}
		err = d.Sync()
		d.Close()
		if err != nil {
			return fail("syncing its directory", err)
		}
	}
	return nil
}

// Load reads the state file at path. found is false when there is no
// such file (a fresh start). A file that exists but is not a whole,
// undamaged state of this format is refused with an *Error. Load does not
// check the command or settings: see Check.
func Load(path string) (f *File, found bool, err error) {
	if err := Unusable(path); err != nil {
		return nil, true, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading state file: %w", err)
	}
	refuse := func(format string, args ...any) (*File, bool, error) {
		return nil, true, &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
	if len(data) == 0 {
		return refuse("is empty: it was cut short before logmon wrote it, or is not logmon's")
	}
	if len(data) > MaxSize {
		return refuse("is larger than %d bytes: not a logmon state file", MaxSize)
	}
	nl := bytes.IndexByte(data, '\n')
	if !bytes.HasPrefix(data, []byte(magic+" ")) || nl < 0 {
		if bytes.Count(data, []byte{0}) == len(data) {
			return refuse("holds only zero bytes (a crash of the file system?), not a state")
		}
		return refuse("is not a logmon state file")
	}
	header := string(data[:nl])
	fields := strings.Fields(header)
	if len(fields) < 2 {
		return refuse("has a damaged header %q", header)
	}
	if version, err := strconv.Atoi(fields[1]); err != nil {
		return refuse("has a damaged header %q", header)
	} else if version != Version {
		return refuse("was written by another version of logmon (state format %d; this logmon reads format %d)", version, Version)
	}
	if len(fields) != 4 || len(fields[2]) != 8 {
		return refuse("has a damaged header %q", header)
	}
	sum, err1 := strconv.ParseUint(fields[2], 16, 32)
	length, err2 := strconv.Atoi(fields[3])
	if err1 != nil || err2 != nil || length < 0 {
		return refuse("has a damaged header %q", header)
	}
	body := data[nl+1:]
	if len(body) < length+1 {
		return refuse("is cut short: %d of %d bytes", len(body), length+1)
	}
	if len(body) > length+1 || body[length] != '\n' {
		return refuse("has %d bytes after its state", len(body)-length)
	}
	body = body[:length]
	if got := crc32.Checksum(body, castagnoli); got != uint32(sum) {
		return refuse("is damaged: checksum %08x, header says %08x", got, sum)
	}
	f = new(File)
	if err := json.Unmarshal(body, f); err != nil {
		return refuse("has a state logmon cannot read: %v", err)
	}
	return f, true, nil
}

// Check refuses a state written by another command or with other
// settings: a window of 60 counters cannot go on as a window of 120.
// settings is what the running command would save.
func (f *File) Check(path, command string, settings any) error {
	if f.Command != command {
		return &Error{Path: path, Reason: fmt.Sprintf("is the state of logmon %s, not of logmon %s", strconv.Quote(f.Command), command)}
	}
	want, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	if !jsonEqual(f.Settings, want) {
		return &Error{Path: path, Reason: fmt.Sprintf("was written with other settings: %s, now %s", f.Settings, want)}
	}
	return nil
}

// jsonEqual compares two JSON values by meaning, not by spelling.
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
