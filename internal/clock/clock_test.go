package clock

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// since is how far t is from t0, for messages.
func since(t time.Time) time.Duration { return t.Sub(t0) }

// ready returns what c holds, if anything, without waiting.
func ready(c <-chan time.Time) (time.Time, bool) {
	select {
	case t := <-c:
		return t, true
	default:
		return time.Time{}, false
	}
}

func TestFakeAfter(t *testing.T) {
	f := NewFake(t0)
	c := f.After(3 * time.Second)
	f.Advance(2 * time.Second)
	if _, ok := ready(c); ok {
		t.Fatal("After(3s) fired 2 s on")
	}
	f.Advance(time.Second)
	if got, ok := ready(c); !ok || since(got) != 3*time.Second {
		t.Fatalf("After(3s) 3 s on: %v, %v; want +3s", since(got), ok)
	}
	if got := since(f.Now()); got != 3*time.Second {
		t.Errorf("Now = +%v, want +3s", got)
	}
	if got, ok := ready(f.After(0)); !ok || !got.Equal(f.Now()) {
		t.Errorf("After(0) = %v, %v; want the time at once", got, ok)
	}
}

// TestFakeOrder: a long Advance fires what falls due in time order,
// tickers once a period, and ends at the time asked for.
func TestFakeOrder(t *testing.T) {
	f := NewFake(t0)
	var (
		mu  sync.Mutex
		got []string
	)
	note := func(what string, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%s at +%v", what, since(at)))
	}
	ticks, stop := f.Ticker(2 * time.Second)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 3 {
			note("tick", <-ticks)
		}
		stop()
	}()
	a := f.After(3 * time.Second)
	b := f.After(1 * time.Second)
	f.Advance(10 * time.Second)
	wg.Wait()
	note("b", <-b)
	note("a", <-a)
	if got := since(f.Now()); got != 10*time.Second {
		t.Errorf("Now = +%v after Advance(10s), want +10s", got)
	}
	want := []string{"tick at +2s", "tick at +4s", "tick at +6s", "b at +1s", "a at +3s"}
	if !slices.Equal(got, want) {
		t.Errorf("(-want +got):\n-%q\n+%q", want, got)
	}
}

// TestFakeTickerWaits: Advance returns only once each tick was received,
// and a stopped ticker no longer holds it up.
func TestFakeTickerWaits(t *testing.T) {
	f := NewFake(t0)
	ticks, stop := f.Ticker(time.Second)
	advanced := make(chan struct{})
	go func() {
		f.Advance(2 * time.Second)
		close(advanced)
	}()
	if got := <-ticks; since(got) != time.Second {
		t.Errorf("first tick at +%v, want +1s", since(got))
	}
	select {
	case <-advanced:
		t.Fatal("Advance returned before the second tick was received")
	default:
	}
	if got := <-ticks; since(got) != 2*time.Second {
		t.Errorf("second tick at +%v, want +2s", since(got))
	}
	<-advanced
	stop()
	stop()                     // twice is fine
	f.Advance(5 * time.Second) // nobody reads: must not block
	if _, ok := ready(ticks); ok {
		t.Error("a stopped ticker ticked")
	}
}

// TestFakeWokenWaiter: an After started by the goroutine a tick woke
// fires within the same Advance when it falls due before its end.
func TestFakeWokenWaiter(t *testing.T) {
	f := NewFake(t0)
	ticks, stop := f.Ticker(time.Second)
	defer stop()
	after := make(chan (<-chan time.Time), 1)
	go func() {
		<-ticks
		after <- f.After(time.Second)
		for range ticks {
		}
	}()
	f.Advance(3 * time.Second)
	if got, ok := ready(<-after); !ok || since(got) != 2*time.Second {
		t.Errorf("After(1s) started at +1s: %v, %v; want fired at +2s", since(got), ok)
	}
}

func TestBlockUntil(t *testing.T) {
	f := NewFake(t0)
	_, stop := f.Ticker(time.Second) // tickers do not count
	f.BlockUntil(0)
	fired := make(chan time.Time)
	for range 2 {
		go func() { fired <- <-f.After(time.Minute) }()
	}
	f.BlockUntil(2) // both wait: advancing now wakes both
	stop()          // (nobody reads its ticks)
	go f.Advance(time.Minute)
	for range 2 {
		if got := <-fired; since(got) != time.Minute {
			t.Errorf("fired at +%v, want +1m", since(got))
		}
	}
}

func TestJumping(t *testing.T) {
	f := NewFake(t0)
	j := f.Jumping()
	if got, ok := ready(j.After(90 * time.Second)); !ok || since(got) != 90*time.Second {
		t.Errorf("After(90s) = +%v, %v; want ready at +90s", since(got), ok)
	}
	if got := since(j.Now()); got != 90*time.Second {
		t.Errorf("Now = +%v, want +90s", got)
	}
}

// TestSystem: the real clock reads the time of day and wakes and ticks
// on its own (the one test here that waits on the wall clock, a
// millisecond).
func TestSystem(t *testing.T) {
	if d := time.Since(System.Now()); d < 0 || d > time.Minute {
		t.Errorf("System.Now is %v off the time of day", d)
	}
	<-System.After(0)
	ticks, stop := System.Ticker(time.Millisecond)
	<-ticks
	stop()
}
