package top

import (
	"context"
	"time"

	"github.com/gdamore/tcell/v2"
)

// Refresh is how often the screen is drawn anew from the dashboard: twice
// a second, so that a second of event time never goes unseen.
const Refresh = 500 * time.Millisecond

// Program is the terminal program: it draws the dashboard on the
// terminal's alternate screen and reads the keys, both through tcell on
// the terminal itself (/dev/tty: standard input is the data).
type Program struct {
	scr    tcell.Screen
	dash   *Dash
	v      View
	styles [Warn + 1]tcell.Style
	snap   Snapshot
	notify chan struct{} // the input ended
	fail   chan error
}

// Config says how the program draws.
type Config struct {
	Dash *Dash
	View View // the settings shown; Paused, Help and List start off
	// Colour: the terminal's colours; without, bold, faint and reverse
	// video only (NO_COLOR).
	Colour bool
	// Screen, when set, is drawn on instead of the terminal (tests).
	Screen tcell.Screen
}

// NewProgram takes the terminal: the alternate screen, raw keys. Run
// gives it back.
func NewProgram(cfg Config) (*Program, error) {
	scr := cfg.Screen
	if scr == nil {
		var err error
		if scr, err = tcell.NewScreen(); err != nil {
			return nil, err
		}
	}
	if err := scr.Init(); err != nil {
		return nil, err
	}
	p := &Program{scr: scr, dash: cfg.Dash, v: cfg.View, notify: make(chan struct{}, 1), fail: make(chan error, 1)}
	base := tcell.StyleDefault
	p.styles = [...]tcell.Style{
		Plain:     base,
		Title:     base.Bold(true),
		Dim:       base.Dim(true),
		Key:       base.Bold(true),
		Bar:       base,
		Over:      base.Bold(true),
		Threshold: base.Dim(true),
		Firing:    base.Bold(true).Reverse(true),
		Resolved:  base,
		Warn:      base.Bold(true),
	}
	if cfg.Colour {
		p.styles[Key] = p.styles[Key].Foreground(tcell.ColorTeal)
		p.styles[Bar] = base.Foreground(tcell.ColorGreen)
		p.styles[Over] = base.Foreground(tcell.ColorRed)
		p.styles[Threshold] = base.Foreground(tcell.ColorOlive)
		p.styles[Firing] = base.Bold(true).Foreground(tcell.ColorWhite).Background(tcell.ColorMaroon)
		p.styles[Resolved] = base.Foreground(tcell.ColorGreen)
		p.styles[Warn] = base.Bold(true).Foreground(tcell.ColorOlive)
	}
	return p, nil
}

// Ended tells the program that the input ended: it shows so, and keeps
// the last screen until q.
func (p *Program) Ended() {
	p.dash.End()
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// Fail ends the program with err (the input could not be read).
func (p *Program) Fail(err error) {
	select {
	case p.fail <- err:
	default:
	}
}

// Run draws until q, ctx's end or Fail, and gives the terminal back. It
// returns the error given to Fail, if any.
func (p *Program) Run(ctx context.Context) error {
	defer p.scr.Fini()
	events := make(chan tcell.Event, 16)
	quit := make(chan struct{})
	defer close(quit)
	go p.scr.ChannelEvents(events, quit)
	tick := time.NewTicker(Refresh)
	defer tick.Stop()
	p.snap = p.dash.Snapshot()
	p.draw()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-p.fail:
			return err
		case <-p.notify:
			if !p.v.Paused {
				p.snap = p.dash.Snapshot()
			}
		case <-tick.C:
			if !p.v.Paused {
				p.snap = p.dash.Snapshot()
			}
		case ev := <-events:
			switch ev := ev.(type) {
			case nil:
				return nil // the screen was finished
			case *tcell.EventResize:
				p.scr.Sync()
			case *tcell.EventKey:
				if p.key(ev) {
					return nil
				}
			}
		}
		p.draw()
	}
}

// key handles a key; true means quit.
func (p *Program) key(ev *tcell.EventKey) bool {
	switch ev.Key() {
	case tcell.KeyCtrlC:
		return true
	case tcell.KeyEscape:
		p.v.Help = false
	case tcell.KeyTab:
		p.v.List = (p.v.List + 1) % nLists
	case tcell.KeyRune:
		switch ev.Rune() {
		case 'q', 'Q':
			return true
		case 'p', 'P', ' ':
			p.v.Paused = !p.v.Paused
			if !p.v.Paused {
				p.snap = p.dash.Snapshot()
			}
		case 't', 'T':
			p.v.List = (p.v.List + 1) % nLists
		case '?', 'h':
			p.v.Help = !p.v.Help
		}
	}
	return false
}

// draw draws the snapshot at the terminal's size. Every cell is put, the
// blanks too, and none cleared first: tcell sends the terminal only the
// cells whose content changed (a cell cleared and written again with the
// same text counts as changed, so a Clear before drawing sent the whole
// screen every frame, and it flickered). The terminal is cleared and
// drawn whole only on a resize (Sync).
func (p *Program) draw() {
	w, h := p.scr.Size()
	frame := Render(p.snap, w, h, p.v)
	blank := p.styles[Plain]
	for y := range h {
		x := 0
		if y < len(frame) {
			for _, s := range frame[y] {
				st := p.styles[s.Style]
				for rest := s.Text; rest != "" && x < w; {
					var cw int
					rest, cw = p.scr.Put(x, y, rest, st)
					x += max(cw, 1)
				}
			}
		}
		for ; x < w; x++ {
			p.scr.Put(x, y, " ", blank)
		}
	}
	p.scr.Show()
}
