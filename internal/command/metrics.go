package command

import (
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/logmon/logmon/internal/driver"
	"github.com/logmon/logmon/internal/metrics"
)

// metricsFlag serves Prometheus metrics while the stream runs (package
// metrics).
func metricsFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "metrics",
		Usage: "serve Prometheus metrics at http://`ADDR`/metrics while the stream runs (ADDR: host:port, such as 127.0.0.1:9464 or :9464)",
	}
}

// served is a command's --metrics: nil without the flag, and then every
// method does nothing.
type served struct {
	m   *metrics.Metrics
	srv *metrics.Server
}

// serveMetrics starts serving the metrics of command cmd when --metrics
// is given, and says where on standard error (info). log is the
// command's logger: safe to use from the server's goroutine.
func serveMetrics(c *cli.Context, log *slog.Logger, cmd string) (*served, error) {
	addr := c.String("metrics")
	if addr == "" {
		return nil, nil
	}
	m := metrics.New(cmd)
	srv, err := metrics.Serve(addr, m, func(err error) {
		log.Error(fmt.Sprintf("metrics are not served any more: %v", err))
	})
	if err != nil {
		return nil, usagef("--metrics: %v", err)
	}
	log.Info("serving metrics on " + srv.URL())
	return &served{m, srv}, nil
}

// observer is what the driver tells (driver.Config.Observe).
func (s *served) observer() driver.Observer {
	if s == nil {
		return nil // a nil interface, not a nil *Metrics in one
	}
	return s.m
}

// watch follows the state of alert's rules.
func (s *served) watch(e interface {
	Watch(func(rule string, firing bool))
}) {
	if s != nil {
		e.Watch(s.m.Rule)
	}
}

// close stops serving: the command has ended.
func (s *served) close() {
	if s != nil {
		s.srv.Close()
	}
}
