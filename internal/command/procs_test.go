package command

import "testing"

func TestPipelineProcs(t *testing.T) {
	for _, tc := range []struct {
		cpus              int
		stdinPipe, stdout bool
		env               string
		want              int
	}{
		{2, false, false, "", 0}, // alone: every CPU
		{2, true, false, "", 1},  // parse | STAGE
		{2, false, true, "", 1},  // STAGE | ...
		{2, true, true, "", 1},
		{1, true, true, "", 1},
		{8, true, true, "", 4},
		{2, true, true, "2", 0}, // the environment decides
	} {
		if got := pipelineProcs(tc.cpus, tc.stdinPipe, tc.stdout, tc.env); got != tc.want {
			t.Errorf("pipelineProcs(%d, %v, %v, %q) = %d, want %d", tc.cpus, tc.stdinPipe, tc.stdout, tc.env, got, tc.want)
		}
	}
}
