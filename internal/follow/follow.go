// Package follow follows a growing log file the way `tail -F` does, in
// pure Go, on every platform: a Follower is an io.Reader over everything
// written to the file at a path, across rotations, removals and
// truncations, so a stage reads it the way it reads standard input.
//
// It polls: at the end of the file it waits Options.Poll (250 ms by
// default), then looks again, with an fstat of the open file and a stat of
// the path (and, for the rewrite check, a read of at most 4 KiB). Polling
// works the same on Linux, macOS, Windows and network file systems, where
// change notification (inotify, kqueue, fsnotify) is missing or partial,
// and costs nothing worth counting at four looks a second. While there is
// data, Read never waits.
//
// # Lines
//
// Read returns only complete lines while a file is being written: the
// bytes after the last '\n' are held back until their '\n' arrives, so a
// line is never split across a writer's two writes. Two exceptions: held
// bytes beyond 64 KiB are returned anyway (a very long line; downstream
// reads lines of any length), and when the file is left for another (it
// was rotated away, removed, truncated or rewritten) its unterminated last
// line is returned with an added '\n', so the lines of two files never
// merge. Stop and Close never return a held line: it is read again after a
// resume.
//
// # Files
//
// A file is known by its identity (see fingerprint): a hash of its first
// two lines after the NUL bytes it may start with. Read returns no byte of
// a file before it has one. The identity survives the two ways a
// copytruncate makes files start alike: the tail of a line half written
// when the file was truncated (one of the two lines is whole, and a whole
// line has its time and client), and a hole of NULs left by a writer
// without O_APPEND (skipped, and never returned as lines). It cannot tell
// apart two files whose first two lines are the same; fingerprint says
// when that can happen. A first line that stays alone for loneWait (5 s)
// is returned all the same, the file then known by that line alone (see
// loneWait for the one collision that lets in).
//
// A rotated file is one named as logrotate and newsyslog name them (see
// rotationOf): access.log.1, access.log.1.gz, access.log-20261123[.gz],
// access.log-20261123-1763900000, access.log.2.bz2, access.log.2.zst;
// never a file whose name only starts with the log's (access.log.pos,
// access.log.other-vhost). Compressed ones (gzip, bzip2, zstd) are read
// through their decompressor, never written.
//
//   - Rotation by rename (the path now names another file) and removal:
//     the old file stays open and is read on until the path names a new
//     file with data in it; then the old one is read to its end, and on
//     while it still grows (a late writer, up to graceQuiet without
//     growth and graceMax in all), and the new one from its start.
//     Waiting for data rather than for the name is what keeps the lines of
//     a writer that goes on writing the renamed file until it is told to
//     reopen (nginx after logrotate's "create" and before its postrotate
//     signal); the grace keeps those of a second worker that reopens late.
//     The cost: a removed log's disk space is held until a new file with
//     data appears at the path, and after a rename the new file's lines
//     wait graceQuiet.
//   - Truncation (the file is shorter than what was read; copytruncate
//     does this) and rewriting in place (the bytes of its identity changed
//     although the size did not shrink, checked after each poll, before
//     reading on; a copytruncate under a writer without O_APPEND looks
//     like this, the file never looking shorter):
//     if a copy with the old identity lies next to it (copytruncate's
//     access.log.1), the lines not read yet are read from the copy (see
//     fromCopy); then the file is read again from its start, under its new
//     identity. Lines written between logrotate's copy and its truncation
//     are lost: that is copytruncate's documented hazard.
//   - When a rotated file or a copy has been read to its end, the files
//     rotated after it are read, oldest first, before the path (see
//     rotatedAfter), so two rotations within a poll or during a stop lose
//     nothing. Oldest by modification time, not by name: where rotations
//     of several modes meet, names do not give the order (see
//     rotatedSet); a compressed file must keep the time of the file it
//     holds, as gzip, bzip2 and zstd do. When the file at the path,
//     opened empty, is copytruncated before it had an identity, the copy
//     that appeared meanwhile is read before it (see appeared).
//   - Options.FromEnd starts the first file just after its last '\n';
//     files that appear later are read from their start. Without it the
//     first file is read from its start (as Filebeat, promtail and Vector
//     do).
//   - Options.Resume finds the file a Position names, at the path, among
//     its rotated files (compressed ones too) or, when the path is a
//     symbolic link, next to the file it leads to (an old target), and
//     goes on after the line it names.
//
// # Limits
//
// What a poller cannot see, it misses, as every tail -F does: a file
// created and removed within one poll is never seen; a file truncated and
// written past its old size while being read (not idle at its end) goes
// on being read from where it was until the check at the next poll sees
// its new first lines and reads it again from its start; two files that
// start with the same two lines share an identity, and so do two whose
// same first line stayed alone for loneWait; lines a renamed file
// gets after its grace are lost; an old symbolic-link target is found
// only in a directory the link still leads into (a state holds no path).
//
// # Concurrency
//
// Read is for one goroutine. Where and Close may be called from any
// goroutine; Close makes a Read blocked waiting for data return io.EOF.
package follow

import (
	"github.com/logmon/logmon/internal/checkpoint"

	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

// DefaultPoll is how often an idle Follower looks for new data when
// Options.Poll is 0: a quarter second keeps a live dashboard live and
// costs two stats a poll.
const DefaultPoll = 250 * time.Millisecond

// maxHold is how many bytes of an unterminated line are held back before
// they are returned anyway. Real log lines are far shorter; a line that is
// not must not stall the stream or grow the buffer without bound.
const maxHold = 64 << 10

// graceQuiet and graceMax bound the grace given to late writers. After a
// rename, a new file with data at the path is the sign that the writers
// have moved on to it; but a second writer that reopens late (an nginx
// worker busy when told to reopen) still writes the renamed file. That
// file is read on, before the new one, until it has not grown for
// graceQuiet, and at most until graceMax after the new file was seen;
// what it gets later is lost, as with tail -F. Reading it before the new
// file rather than beside it keeps the stream one file after another, so
// a resume position is never in a file left behind by lines read after
// it. The cost: after each rename the new file's lines wait graceQuiet
// (graceMax at worst, while a late writer goes on writing).
const (
	graceQuiet = time.Second
	graceMax   = 30 * time.Second
)

// bufSize is the read buffer: twice maxHold, so that after the held bytes
// are moved to its front at least 64 KiB is free for each read. With reads
// that large, following a large file costs about what reading it plainly
// does: BenchmarkRead gave 9.4 GB/s through a Follower against 10.5 GB/s
// plainly (page cache, 64 KiB reads by the caller), the difference being
// the copy out of this buffer.
const bufSize = 2 * maxHold

// Options say how to follow.
type Options struct {
	// FromEnd starts the first file just after its last '\n' instead of
	// at its start. Files that appear later are read from their start.
	FromEnd bool
	// Resume, when not empty, takes precedence over FromEnd: reading goes
	// on just after the line at Offset of the file with identity File of
	// the first of its positions (most recent first, as a state keeps
	// them: checkpoint.File.Positions) that is found at the path or, when
	// it was rotated away, among its rotated files (compressed ones read
	// through their decompressor), or else next to the file a symbolic
	// link leads to. The rest of a rotated file is read first, then the
	// files rotated after it, then the file at the path from its start.
	// When no file matches, the path is read from its start, with a
	// notice. Positions of other followed files are passed over: they
	// match no file of this one's.
	Resume []checkpoint.Position
	// NoLinkSearch: a resume looks for its file at the path and among its
	// rotated files only, not next to a symbolic link's target. Set when
	// several files are followed together, one of which may lie there.
	NoLinkSearch bool
	// Waiting, when not nil, is called with true when Read starts waiting
	// for the file to grow (everything written to it was returned) and
	// with false when it looks again: several files followed together
	// (package source) are merged in time order while they have lines to
	// read, and a file that is waiting holds the others up no longer.
	// It must not call Read or Close.
	Waiting func(bool)
	// Poll is how long to wait at the end of the data before looking
	// again. 0 means DefaultPoll.
	Poll time.Duration
	// Stop, once closed, makes Read return io.EOF. A held-back partial
	// line is not returned.
	Stop <-chan struct{}
	// Clock times the polls; nil means clock.System. Tests drive the
	// polls with a clock.Fake.
	Clock clock.Clock
	// Notify, when not nil, receives one-line notices for a person:
	// waiting for the file, rotation, truncation, resuming. It is called
	// from Open and from within Read, and must not call Read or Close.
	Notify func(msg string)
}

// action is what to do with the current file once everything read from
// it has been returned.
type action int

const (
	stay    action = iota // nothing pending
	toPath                // close it and open the file at the path
	restart               // read the same file again from its start
	release               // close it and wait for the path
	toNext                // close it and open the next rotated file (resume)
)

// Follower follows the file at a path. Make one with Open.
type Follower struct {
	path string
	opt  Options
	done chan struct{} // closed by Close

	// rmu is held by Read while it works (not while it waits for a poll)
	// and by Close, which so never closes the file under a Read.
	rmu       sync.Mutex
	closeOnce sync.Once
	closed    bool
	err       error // a read error, returned from then on

	file    source // the file being read; nil while waiting for the path
	name    string // the path file was opened under
	id      string // identity of file; "" while it has none
	ident   ident  // what id was taken from
	skip    bool   // discard up to and including the next '\n' (resume)
	readOff int64  // offset in file of the next byte to read
	pos     int64  // offset in file of buf[r]
	pending action
	woke    bool   // a poll has passed since the last look at the file and path
	drainTo action // when not stay: read this file to its end, then do this
	gone    bool   // the path was seen missing; said so
	noted   string // the last open failure told through Notify
	// next lists the rotated files to read after the current one and
	// before the path, oldest first: after a resume into a rotated
	// file, the files rotated after it (see rotatedAfter).
	next []rotated
	// before is the rotated set as it was when the file at the path was
	// opened, empty, to be read from its start: rotations that appear
	// before it has an identity are read first (see appeared).
	before []os.FileInfo
	fresh  bool // before was taken and not yet compared
	// graceSince is when the path was seen to name a new file while this
	// one was read (zero when it was not), grewAt when this one last
	// grew since: see graceQuiet.
	graceSince, grewAt time.Time
	loneSince          time.Time // when the file's first line was seen alone

	// buf[r:ready] is ready to be returned, buf[ready:w] is held back.
	buf         []byte
	r, ready, w int
	scratch     []byte // for fingerprints
	streamOff   int64  // bytes returned so far
	segOpen     bool   // the current file has its segment

	mu   sync.Mutex // guards segs, for Where
	segs segments
}

// Open starts following the file at path. It fails only for what can never
// work: path is a directory or not a regular file, or cannot be opened for
// a reason other than not existing (permission, most often), or Poll is
// negative. A path that does not exist yet is waited for.
func Open(path string, opt Options) (*Follower, error) {
	if opt.Poll < 0 {
		return nil, fmt.Errorf("follow %s: negative poll interval %v", path, opt.Poll)
	}
	if opt.Poll == 0 {
		opt.Poll = DefaultPoll
	}
	if opt.Clock == nil {
		opt.Clock = clock.System
	}
	f := &Follower{
		path:    path,
		opt:     opt,
		done:    make(chan struct{}),
		buf:     make([]byte, bufSize),
		scratch: make([]byte, fingerprintMax),
	}
	file, err := f.openPath()
	if err != nil {
		return nil, err
	}
	if len(opt.Resume) > 0 {
		if f.resume(opt.Resume, file) {
			return f, nil
		}
	} else if file != nil && opt.FromEnd {
		start, err := lastLineEnd(file, f.buf)
		if err != nil {
			file.Close()
			return nil, err
		}
		f.use(file, path, start, false)
		return f, nil
	}
	if file == nil {
		f.notify("waiting for %s to appear", path)
		return f, nil
	}
	f.use(file, path, 0, false)
	return f, nil
}

// openPath opens the file at the path for Open: nil, nil when it does not
// exist.
func (f *Follower) openPath() (*os.File, error) {
	file, err := openFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err == nil {
		var fi os.FileInfo
		if fi, err = file.Stat(); err == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("follow %s: not a regular file", f.path)
		}
		if err != nil {
			file.Close()
		}
	}
	if err != nil {
		if fi, serr := os.Stat(f.path); serr == nil && fi.IsDir() {
			err = fmt.Errorf("follow %s: is a directory", f.path)
		}
		return nil, err
	}
	return file, nil
}

// resume starts at pos (see Options.Resume). atPath is the file at the
// path, or nil. It reports whether a file was found; if not, atPath is
// left for the caller to use.
func (f *Follower) resume(positions []checkpoint.Position, atPath *os.File) bool {
	// The log's own files for every position first, then the wider
	// search: a position of this log's found among its files wins over
	// a more recent one of another log's found next to a link's target.
	for _, wide := range []bool{false, true} {
		if wide && f.opt.NoLinkSearch {
			break
		}
		for _, pos := range positions {
			if !wide && atPath != nil && f.matches(atPath, pos) {
				f.useAt(atPath, f.path, pos.Offset, true, pos.File)
				f.notify("resuming %s at byte %d", f.path, pos.Offset)
				return true
			}
			find := f.findRotated
			if wide {
				find = f.findNearLink
			}
			if name, file := find(pos, atPath); file != nil {
				if atPath != nil {
					atPath.Close()
				}
				f.useAt(file, name, pos.Offset, true, pos.File)
				f.next = f.rotatedAfter(file, nil)
				then := f.path
				if len(f.next) > 0 {
					then = names(f.next) + ", " + f.path
				}
				f.notify("resuming %s at byte %d; then %s", name, pos.Offset, then)
				return true
			}
		}
	}
	if len(positions) == 1 {
		pos := positions[0]
		f.notify("resume point (file %s, byte %d) not found; reading %s from its start", pos.File, pos.Offset, f.path)
	} else {
		f.notify("none of the %d resume points found among %s's files; reading %s from its start", len(positions), f.path, f.path)
	}
	return false
}

// matches reports whether file is where pos points: it has pos's
// identity (taken as of a file that will not grow, so that a rotated file
// with a single line is found too) and a byte at pos.Offset.
func (f *Follower) matches(file source, pos checkpoint.Position) bool {
	if pos.Offset < 0 {
		return false
	}
	// The identity first: the byte at the offset may take decompressing
	// all that comes before it, of every compressed file tried.
	if !f.hasIdentity(file, pos.File) {
		return false
	}
	_, err := file.ReadAt(f.scratch[:1], pos.Offset)
	return err == nil
}

// hasIdentity reports whether id is an identity file was known by: that
// of its first two lines, of its first line alone (see loneWait), or the
// identity before issue 12 (see legacyID).
func (f *Follower) hasIdentity(file source, id string) bool {
	if _, ok := f.identAs(file, id); ok {
		return true
	}
	return legacyID(file, f.scratch) == id
}

// identAs returns the identity of file that is id, of its first two
// lines or of its first line alone; ok is false when it has neither.
func (f *Follower) identAs(file source, id string) (got ident, ok bool) {
	for _, lines := range []int{2, 1} {
		got, ok, err := fingerprintLines(file, f.scratch, 0, lines, true)
		if err == nil && ok && idString(got.sum) == id {
			return got, true
		}
	}
	return ident{}, false
}

// useAt is use for a resume or a copy: file is read on from start under
// the identity id it was found by, kept rather than taken again from
// what the file holds when it is first read. Taken again, a file
// copytruncated and written anew in between (the file at the path, found
// by a resume) got the identity of its new lines at the old offset, and
// the rest of its copy was never read.
func (f *Follower) useAt(file source, name string, start int64, skip bool, id string) {
	f.use(file, name, start, skip)
	if got, ok := f.identAs(file, id); ok {
		f.id, f.ident = id, got
		// Look at it before the first read, as after a poll: written
		// past start meanwhile, it would be read from the middle of its
		// new lines.
		f.woke = true
	}
}

// findRotated looks for the file pos points to, other than the file at
// the path (atPath), among the log's rotated files (rotatedSet), newest
// first, compressed ones included.
func (f *Follower) findRotated(pos checkpoint.Position, atPath source) (string, source) {
	atInfo := infoOf(atPath)
	set := rotatedSet(f.path)
	for i := len(set) - 1; i >= 0; i-- {
		if file := f.tryFile(set[i].name, pos, atInfo, func() (source, error) { return openMember(set[i]) }); file != nil {
			return set[i].name, file
		}
	}
	return "", nil
}

func infoOf(file source) os.FileInfo {
	if file == nil {
		return nil
	}
	fi, _ := file.Stat()
	return fi
}

// findNearLink looks for the file pos points to (for a resume), when the
// path is a symbolic link, among the regular files next to each file it
// leads to, other than the file at the path (atPath), newest first: for a
// link whose target changed while logmon was stopped (issue 12, case 6).
// Only the directories the link leads to now are searched: a state holds
// no path, so an old target in a directory the link no longer leads into
// is not found.
func (f *Follower) findNearLink(pos checkpoint.Position, atPath source) (string, source) {
	atInfo := infoOf(atPath)
	for _, dir := range linkDirs(f.path) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		type cand struct {
			name string
			mod  time.Time
		}
		var cands []cand
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
				cands = append(cands, cand{filepath.Join(dir, e.Name()), fi.ModTime()})
			}
		}
		slices.SortFunc(cands, func(a, b cand) int { return b.mod.Compare(a.mod) })
		for _, c := range cands {
			if file := f.tryFile(c.name, pos, atInfo, func() (source, error) { return openSource(c.name) }); file != nil {
				return c.name, file
			}
		}
	}
	return "", nil
}

// tryFile opens the file name with open and returns it if it is not the
// file at the path (atInfo) and matches pos.
func (f *Follower) tryFile(name string, pos checkpoint.Position, atInfo os.FileInfo, open func() (source, error)) source {
	file, err := open()
	if err != nil {
		return nil
	}
	fi, err := file.Stat()
	if err != nil || (atInfo != nil && os.SameFile(fi, atInfo)) || !f.matches(file, pos) {
		file.Close()
		return nil
	}
	return file
}

// linkDirs lists the directories of the files the path leads to, when it
// is a symbolic link (or a chain of them), other than its own.
func linkDirs(path string) []string {
	var dirs []string
	seen := map[string]bool{filepath.Dir(path): true}
	for range 40 { // as the kernel's bound on a chain of links
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			break
		}
		target, err := os.Readlink(path)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		if dir := filepath.Dir(target); !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
		path = target
	}
	return dirs
}

// rotatedAfter lists, oldest first, the log's rotated files (rotatedSet)
// rotated after file, but except (when not nil: the file at the path,
// opened to be read next): those after it in the set, which
// is in the order the files were last written; when it is no longer in
// the set (removed, compressed; a symbolic link's old target), those last
// written after it was (one written in the same instant is a copy of it,
// its compressed form, or an older rotation). Of files with one identity
// (a file and its compressed form while logrotate compresses it) only the
// first is listed, and none with file's own identity. A resume reads them
// all before the path, so a restart that missed two rotations loses
// nothing.
func (f *Follower) rotatedAfter(file source, except os.FileInfo) []rotated {
	fi, err := file.Stat()
	if err != nil {
		return nil
	}
	seen := map[uint64]bool{}
	if id, ok, err := fingerprint(file, f.scratch, 0, true); err == nil && ok {
		seen[id.sum] = true
	}
	set := rotatedSet(f.path)
	at := slices.IndexFunc(set, func(m member) bool { return os.SameFile(m.info, fi) })
	var after []rotated
	for i, m := range set {
		if at >= 0 && i <= at || at < 0 && !m.info.ModTime().After(fi.ModTime()) ||
			except != nil && os.SameFile(m.info, except) {
			continue
		}
		src, err := openMember(m)
		if err != nil {
			continue // gone meanwhile: rotated on, and found again when due
		}
		id, ok, err := fingerprint(src, f.scratch, 0, true)
		src.Close()
		if err != nil || !ok || seen[id.sum] {
			continue
		}
		seen[id.sum] = true
		after = append(after, rotated{m.name, id.sum})
	}
	return after
}

// rotated is a rotated file to be read: its name when it was listed, and
// its identity, by which it is found again when it was renamed or
// compressed meanwhile.
type rotated struct {
	name string
	id   uint64
}

// names lists the names of rs, for notices.
func names(rs []rotated) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.name)
	}
	return b.String()
}

// openRotated opens the rotated file r, under its name or, when that
// names another file now (logrotate renamed or compressed it since it
// was listed), wherever in the set its identity is.
func (f *Follower) openRotated(r rotated) (source, string) {
	pos := checkpoint.Position{File: idString(r.id), Offset: 0}
	if file, err := openSource(r.name); err == nil {
		if f.matches(file, pos) {
			return file, r.name
		}
		file.Close()
	}
	name, file := f.findRotated(pos, nil)
	return file, name
}

// rotatedSince sets next to the files rotated after the current one (the
// followed file, a rotated file or a copy) while it was being read, so a
// log rotated twice within a poll, or while logmon read the first of them,
// loses nothing. It reports whether there are any.
func (f *Follower) rotatedSince() bool {
	f.next = f.rotatedAfter(f.file, nil)
	return len(f.next) > 0
}

// setInfo is the rotated set as file infos, for appeared.
func setInfo(path string) []os.FileInfo {
	var infos []os.FileInfo
	for _, m := range rotatedSet(path) {
		infos = append(infos, m.info)
	}
	return infos
}

// appeared handles a rotation the follower could not see: the file at the
// path was opened empty (after a truncation, most often) and, before it
// had an identity, was written, copytruncated and written again (two
// copytruncates within one poll, issue 12 case 3). The inode never left
// the path and never looked shorter; the lines in between are in a
// rotated file that was not there when the file was opened. Such files,
// other than copies of the current one, are read from their start before
// it. It reports whether there are any; the current file, nothing of
// which was returned yet, is then left and read again after them.
func (f *Follower) appeared() bool {
	before, fresh := f.before, f.fresh
	f.before, f.fresh = nil, false
	if !fresh || f.name != f.path {
		return false
	}
	var found []rotated
	for _, m := range rotatedSet(f.path) {
		if slices.ContainsFunc(before, func(b os.FileInfo) bool { return os.SameFile(b, m.info) }) {
			continue
		}
		file, err := openMember(m)
		if err != nil {
			continue
		}
		id, ok, err := fingerprint(file, f.scratch, 0, true)
		copied := f.hasIdentity(file, f.id)
		file.Close()
		if err == nil && ok && !copied {
			found = append(found, rotated{m.name, id.sum})
		}
	}
	if len(found) == 0 {
		return false
	}
	f.next = found
	f.leaveFor(toNext, "%s was rotated before it could be read (copytruncate within a poll); reading %s first", f.path, names(found))
	return true
}

// lastLineEnd returns the offset just after the last '\n' of file, 0 if
// it has none, reading backwards from its end into buf.
func lastLineEnd(file *os.File, buf []byte) (int64, error) {
	fi, err := file.Stat()
	if err != nil {
		return 0, err
	}
	for end := fi.Size(); end > 0; {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := file.ReadAt(chunk, start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// use makes file, opened under name, the current file, to be read from
// start; with skip, from just after the '\n' that ends the line at start.
func (f *Follower) use(file source, name string, start int64, skip bool) {
	f.file, f.name = file, name
	f.id, f.ident = "", ident{}
	f.readOff, f.pos, f.skip = start, start, skip
	f.r, f.ready, f.w = 0, 0, 0
	f.segOpen = false
	f.pending = stay
	f.drainTo = stay
	f.graceSince, f.grewAt = time.Time{}, time.Time{}
	f.loneSince = time.Time{}
	f.noted = ""
	f.before, f.fresh = nil, false
	if name == f.path && start == 0 && !skip {
		f.before, f.fresh = setInfo(f.path), true
	}
	if _, ok := file.(*packed); ok {
		// A compressed file is a rotated one: it does not grow.
		f.drainTo = toPath
	}
	if _, err := file.Seek(start, io.SeekStart); err != nil {
		f.err = fmt.Errorf("follow %s: %w", name, err)
	}
}

func (f *Follower) notify(format string, args ...any) {
	if f.opt.Notify != nil {
		f.opt.Notify(fmt.Sprintf(format, args...))
	}
}

// Read reads lines of the followed files into p. It blocks until there
// are some, and returns io.EOF only once Stop is closed or Close called.
func (f *Follower) Read(p []byte) (int, error) {
	f.rmu.Lock()
	defer f.rmu.Unlock()
	for {
		if f.closed {
			return 0, io.EOF
		}
		select {
		case <-f.done:
			return 0, io.EOF
		case <-f.opt.Stop:
			return 0, io.EOF
		default:
		}
		if f.err != nil {
			return 0, f.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		if f.r < f.ready {
			return f.deliver(p), nil
		}
		progressed, err := f.step()
		if err != nil {
			f.err = err
			return 0, err
		}
		if !progressed {
			if !f.wait() {
				return 0, io.EOF
			}
			f.woke = true
		}
	}
}

// deliver copies ready bytes into p.
func (f *Follower) deliver(p []byte) int {
	if !f.segOpen {
		f.mu.Lock()
		f.segs.add(segment{stream: f.streamOff, id: f.id, off: f.pos, path: f.name})
		f.mu.Unlock()
		f.segOpen = true
	}
	n := copy(p, f.buf[f.r:f.ready])
	f.r += n
	f.pos += int64(n)
	f.streamOff += int64(n)
	return n
}

// wait waits one poll without holding rmu. It reports false when the
// follower was stopped or closed meanwhile.
func (f *Follower) wait() bool {
	f.rmu.Unlock()
	defer f.rmu.Lock()
	if w := f.opt.Waiting; w != nil {
		w(true)
		defer w(false)
	}
	tick := f.opt.Clock.After(f.opt.Poll)
	select {
	case <-tick:
		return true
	case <-f.done:
		return false
	case <-f.opt.Stop:
		return false
	}
}

// step does one piece of work when nothing is ready to be returned: read
// more, take an identity, change files. It reports whether anything
// changed; when nothing did, the caller waits a poll.
func (f *Follower) step() (bool, error) {
	if f.pending != stay {
		f.leave()
		return true, nil
	}
	if f.file == nil {
		return f.openAgain(), nil
	}
	if _, isPacked := f.file.(*packed); f.woke && !isPacked {
		// Back from a poll: look at the file and the path before reading,
		// so that a file truncated and written again while we waited is
		// read from its start, not from the middle of its new lines.
		f.woke = false
		if changed, err := f.check(); changed || err != nil {
			return changed, err
		}
	}
	if f.id == "" {
		id, ok, err := fingerprint(f.file, f.scratch, 0, f.drainTo != stay)
		if err == nil && !ok {
			id, ok, err = f.lone()
		}
		if err != nil {
			return f.readFailed(err)
		}
		if ok {
			f.id, f.ident = idString(id.sum), id
			if f.appeared() {
				return true, nil
			}
			if f.readOff < id.lead {
				// A hole of NULs left by a writer without O_APPEND
				// after a truncation: not lines, not returned.
				f.notify("%s starts with %d NUL bytes (a copytruncate under a writer without O_APPEND); reading from byte %d", f.name, id.lead, id.lead)
				f.readOff, f.pos, f.skip = id.lead, id.lead, false
				if _, err := f.file.Seek(id.lead, io.SeekStart); err != nil {
					return false, fmt.Errorf("follow %s: %w", f.name, err)
				}
			}
			return true, nil
		}
		if f.drainTo != stay { // empty: nothing to read
			f.finish()
			return true, nil
		}
		return false, nil
	}
	n, err := f.fill()
	if n > 0 {
		return true, nil
	}
	if !errors.Is(err, io.EOF) {
		return f.readFailed(err)
	}
	if f.drainTo != stay || len(f.next) > 0 {
		// (A file with rotated files after it is written no more.)
		if !f.graceSince.IsZero() {
			now := f.opt.Clock.Now()
			if now.Sub(f.grewAt) < graceQuiet && now.Sub(f.graceSince) < graceMax {
				return false, nil // a late writer may still write it
			}
		}
		f.finish()
		return true, nil
	}
	return false, nil
}

// lone gives the current file the identity of its first line when that
// has been alone, with no second line complete, for loneWait (see
// fingerprintLines); before, ok is false.
func (f *Follower) lone() (id ident, ok bool, err error) {
	id, ok, err = fingerprintLines(f.file, f.scratch, 0, 1, false)
	if err != nil || !ok {
		return ident{}, false, err
	}
	now := f.opt.Clock.Now()
	if f.loneSince.IsZero() {
		f.loneSince = now
	}
	if now.Sub(f.loneSince) < loneWait {
		return ident{}, false, nil
	}
	return id, true, nil
}

// fill reads from the current file into the buffer. It returns io.EOF
// only when it read nothing.
func (f *Follower) fill() (int, error) {
	f.compact()
	n, err := f.file.Read(f.buf[f.w:])
	if n == 0 {
		if err == nil {
			err = io.EOF // a zero-byte read means the end here too
		}
		return 0, err
	}
	f.readOff += int64(n)
	if !f.graceSince.IsZero() {
		f.grewAt = f.opt.Clock.Now()
	}
	from := f.w
	f.w += n
	if f.skip {
		i := bytes.IndexByte(f.buf[f.r:f.w], '\n')
		if i < 0 {
			f.pos += int64(f.w - f.r)
			f.r, f.ready = f.w, f.w
			return n, nil
		}
		f.pos += int64(i + 1)
		f.r += i + 1
		f.ready = f.r
		f.skip = false
		from = f.r
	}
	if i := bytes.LastIndexByte(f.buf[from:f.w], '\n'); i >= 0 {
		f.ready = from + i + 1
	}
	if f.w-f.ready > maxHold {
		f.ready = f.w
	}
	return n, nil
}

// compact moves the held bytes to the front of the buffer. It is called
// when nothing is ready (f.r == f.ready), and at most maxHold bytes are
// held, so at least maxHold bytes are free after it.
func (f *Follower) compact() {
	if f.r > 0 {
		f.w = copy(f.buf, f.buf[f.r:f.w])
		f.r, f.ready = 0, 0
	}
}

// check looks at the file and the path after a poll, and decides whether
// to read on, read the file again or change files. It reports whether it
// changed anything.
func (f *Follower) check() (bool, error) {
	fi, err := f.file.Stat()
	if err != nil {
		return f.readFailed(err)
	}
	if fi.Size() < f.readOff {
		if f.fromCopy() {
			return true, nil
		}
		f.leaveFor(restart, "%s was truncated; reading it again from its start", f.name)
		return true, nil
	}
	pi, perr := os.Stat(f.path)
	if perr == nil && os.SameFile(fi, pi) {
		f.gone = false
		if f.id != "" {
			same, err := f.ident.same(f.file, f.scratch)
			if err != nil {
				return f.readFailed(err)
			}
			if !same {
				if f.fromCopy() { // truncated and written past our offset since the last poll
					return true, nil
				}
				f.leaveFor(restart, "%s was rewritten; reading it again from its start", f.name)
				return true, nil
			}
		}
		return false, nil
	}
	switch {
	case perr == nil && pi.Mode().IsRegular() && pi.Size() > 0:
		// Another file with data is at the path: read this one to its
		// end, which the stat above makes sure includes every line
		// written before the new file had data, and on while late
		// writers still write it (see graceQuiet), then go on with that.
		if f.drainTo == stay {
			f.drainTo = toPath
			f.graceSince = f.opt.Clock.Now()
			f.grewAt = f.graceSince
		}
		return false, nil
	case perr == nil || errors.Is(perr, fs.ErrNotExist):
		// The path is missing, or an empty file, or not a regular file:
		// the writer may still be writing the old file (nginx does until
		// it is told to reopen), so keep reading it.
		if !f.gone && perr != nil && f.name == f.path {
			f.gone = true
			f.notify("%s is gone (rotated or removed); reading the old file until a new one appears", f.path)
		}
		return false, nil
	default:
		// The path cannot be looked at. On Windows a removed file's name
		// can stay taken, and stat fail, until every handle to it is
		// closed: read the old file to its end and let it go, so that a
		// new one can be created.
		if f.drainTo == stay {
			f.notify("cannot look at %s (%v); finishing %s, then waiting for it", f.path, perr, f.name)
		}
		f.drainTo = release
		return false, nil
	}
}

// fromCopy handles copytruncate: the file was truncated, and a copy of it
// (same identity, logrotate's access.log.1) holds lines not read yet. The
// rest of the copy is read from where reading stopped, under the same
// identity and offsets, then the truncated file from its start. So only
// what the web server wrote between logrotate's copy and its truncation is
// lost, which no reader can have. It reports whether there was such a
// copy.
func (f *Follower) fromCopy() bool {
	if f.id == "" || f.r != f.ready {
		return false
	}
	at := f.pos // the start of the held bytes: everything before was returned
	name, file := f.findRotated(checkpoint.Position{File: f.id, Offset: at}, f.file)
	if file == nil {
		return false
	}
	f.file.Close()
	f.useAt(file, name, at, f.skip, f.id)
	f.drainTo = toPath
	f.notify("%s was truncated (copytruncate); reading the rest of its copy %s from byte %d, then %s from its start", f.path, name, at, f.path)
	return true
}

// finish leaves a file that has been read to its end as drainTo says.
func (f *Follower) finish() {
	switch {
	case f.drainTo == release:
		f.leaveFor(release, "finished %s; waiting for %s", f.name, f.path)
	case len(f.next) > 0:
		f.leaveFor(toNext, "finished %s; reading %s from its start", f.name, f.next[0].name)
	case f.rotatedSince():
		f.leaveFor(toNext, "finished %s; reading %s from its start", f.name, f.next[0].name)
	case f.name != f.path:
		f.leaveFor(toPath, "finished %s; reading %s from its start", f.name, f.path)
	case f.gone:
		f.leaveFor(toPath, "%s is back; reading the new file from its start", f.path)
	default:
		f.leaveFor(toPath, "%s was rotated; reading the new file from its start", f.path)
	}
}

// readFailed handles an error reading the current file. A file that has
// vanished (it was removed, and the file system does not keep it for open
// handles) is left like a rotated one; any other error is returned.
func (f *Follower) readFailed(err error) (bool, error) {
	fi, ferr := f.file.Stat()
	pi, perr := os.Stat(f.path)
	if ferr == nil && perr == nil && os.SameFile(fi, pi) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return false, err // it says what and where already
		}
		return false, fmt.Errorf("follow %s: %w", f.name, err)
	}
	f.leaveFor(release, "%s vanished while being read (%v); waiting for %s", f.name, err, f.path)
	return true, nil
}

// leaveFor arranges to leave the current file for next once all that was
// read from it has been returned. Its unterminated last line, if any, is
// returned with an added '\n', so that it does not merge with the first
// line of what comes next.
func (f *Follower) leaveFor(next action, format string, args ...any) {
	if f.w > f.r {
		f.compact()
		f.buf[f.w] = '\n'
		f.w++
		f.ready = f.w
	}
	f.pending = next
	f.notify(format, args...)
}

// leaving, when not nil, is called as leave starts: tests rotate files
// there, between the decision to leave a file and the leaving.
var leaving func()

// leave carries out the pending action.
func (f *Follower) leave() {
	if leaving != nil {
		leaving()
	}
	next := f.pending
	f.pending, f.drainTo = stay, stay
	if next == restart {
		f.use(f.file, f.name, 0, false)
		return
	}
	var atPath *os.File
	if next == toPath {
		// Open the path first, then look at the rotated set again: a
		// file rotated after this one since finish looked (the file that
		// was at the path, renamed by a rotation under way) is then in
		// the set, and read before the one the path names now. Looked at
		// in the other order, the rotation could fall in between, and
		// the file that had been at the path was never read (the soak
		// lost one, 334 lines).
		atPath = f.openAtPath()
		var except os.FileInfo
		if atPath != nil {
			except, _ = atPath.Stat()
		}
		if after := f.rotatedAfter(f.file, except); len(after) > 0 {
			if atPath != nil {
				atPath.Close()
				atPath = nil
			}
			f.next, next = after, toNext
			f.notify("%s was rotated meanwhile; reading %s first", f.path, names(after))
		}
	}
	f.file.Close()
	f.file = nil
	if atPath != nil {
		f.use(atPath, f.path, 0, false)
		return
	}
	for next == toNext && len(f.next) > 0 {
		r := f.next[0]
		f.next = f.next[1:]
		if file, name := f.openRotated(r); file != nil {
			f.use(file, name, 0, false)
			return
		}
		// Gone meanwhile (removed): its lines cannot be had; go on with
		// what is there.
		f.notify("cannot find %s any more; going on", r.name)
	}
	if next == toPath || next == toNext {
		f.openAgain()
	}
}

// openAgain tries to open the path after the first file, to be read from
// its start. It reports whether it did.
func (f *Follower) openAgain() bool {
	file := f.openAtPath()
	if file == nil {
		return false
	}
	f.use(file, f.path, 0, false)
	return true
}

// openAtPath opens the file at the path, to be read from its start: nil
// when it cannot be (it does not exist, most often; anything else is
// told once).
func (f *Follower) openAtPath() *os.File {
	file, err := openFile(f.path)
	if err == nil {
		var fi os.FileInfo
		if fi, err = file.Stat(); err == nil && !fi.Mode().IsRegular() {
			err = errors.New("not a regular file")
		}
		if err != nil {
			file.Close()
		}
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && err.Error() != f.noted {
			f.noted = err.Error()
			f.notify("cannot open %s: %v; trying again", f.path, err)
		}
		return nil
	}
	return file
}

// Where maps streamOff, the offset in the stream of a byte Read returned,
// to the identity of the file it came from, its offset in that file and
// the path it was read under. The byte added after an unterminated last
// line maps to the offset just past the file's end.
//
// Where remembers the last 64 changes of file, so it answers for any byte
// of the last 64 files (or truncations) read; for an older byte, or before
// anything was read, it returns "", -1, "". Callers ask once per line, in
// increasing order, soon after the line was read, so this never bites.
func (f *Follower) Where(streamOff int64) (id string, off int64, path string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.segs.find(streamOff)
	if i < 0 {
		return "", -1, ""
	}
	s := f.segs.list[i]
	return s.id, s.off + streamOff - s.stream, s.path
}

// Close stops following and closes the file. A Read blocked waiting for
// data returns io.EOF. Close may be called more than once.
func (f *Follower) Close() error {
	f.closeOnce.Do(func() { close(f.done) })
	f.rmu.Lock()
	defer f.rmu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if f.file == nil {
		return nil
	}
	err := f.file.Close()
	f.file = nil
	return err
}
