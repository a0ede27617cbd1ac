package top

import (
	"fmt"
	"time"

	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/eventtime"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/internal/termsafe"
)

// Folds is one driver.Fold of several, each fed every request: top's
// 1 s aggregator (the chart), its --interval aggregator (the top lists)
// and its alert engine. They are made with the same lateness and max
// jump and see the same requests, so their event-time clocks agree, and
// the first one's stands for all.
type Folds []driver.Fold

// Request implements driver.Fold.
func (f Folds) Request(r *record.Request) error {
	for _, x := range f {
		if err := x.Request(r); err != nil {
			return err
		}
	}
	return nil
}

// Clock implements driver.Fold.
func (f Folds) Clock() *eventtime.Clock { return f[0].Clock() }

// Idle implements driver.Fold.
func (f Folds) Idle(now, lastInput time.Time) error {
	for _, x := range f {
		if err := x.Idle(now, lastInput); err != nil {
			return err
		}
	}
	return nil
}

// End implements driver.Fold.
func (f Folds) End() error {
	for _, x := range f {
		if err := x.End(); err != nil {
			return err
		}
	}
	return nil
}

// Sink is the driver's output: the summary and alert records of the
// input go to the dashboard, and the rest nowhere (top writes nothing).
type Sink struct {
	Dash *Dash
	dec  record.Decoder
	sum  record.Summary
	al   record.Alert
}

// Request implements driver.Sink: top never passes requests on.
func (s *Sink) Request(*record.Request) error { return nil }

// Raw implements driver.Sink.
func (s *Sink) Raw(typ record.Type, line []byte) error {
	switch typ {
	case record.TypeSummary:
		if err := s.dec.Summary(line, &s.sum); err != nil {
			return fmt.Errorf("%w: summary: %s", record.ErrBadRecord, termsafe.Message(err.Error()))
		}
		s.Dash.Summary(&s.sum)
	case record.TypeAlert:
		if err := s.dec.Alert(line, &s.al); err != nil {
			return fmt.Errorf("%w: alert: %s", record.ErrBadRecord, termsafe.Message(err.Error()))
		}
		return s.Dash.Alert(&s.al)
	}
	return nil
}

// Flush implements driver.Sink.
func (s *Sink) Flush() error { return nil }
