package main

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestMM1CommandMatchesTheory(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"mm1", "-customers", "200000", "-rho", "0.5"}, &out, &errOut); err != nil {
		t.Fatalf("mm1: %v\n%s", err, errOut.String())
	}
	// At ρ = 0.5 and 200,000 customers the standard error of the mean is
	// about 0.5 %; 5 % catches a wrong simulator or a wrong formula.
	m := regexp.MustCompile(`mean response\s+\S+\s+2ms\s+([-+]\d+\.\d)%`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("mm1 output has no mean response row with theory 2ms:\n%s", out.String())
	}
	if e, _ := strconv.ParseFloat(m[1], 64); e > 5 || e < -5 {
		t.Errorf("mm1 mean response off theory by %s%%; want within 5%%\n%s", m[1], out.String())
	}
	for _, want := range []string{"p99 response", "utilisation", "L = λW", "customers/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("mm1 output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"mm1", "-rho", "1"},
		{"mm1", "-rho", "abc"},
		{"mm1", "-customers", "3"},
		{"mm1", "extra"},
	} {
		var out, errOut bytes.Buffer
		err := run(args, &out, &errOut)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("run(%q) = %v; want a usage error (exit status 2)", args, err)
		}
	}
}
