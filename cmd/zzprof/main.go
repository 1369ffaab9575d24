package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	_ "github.com/hubctl/hub/targets/all"
)

func main() {
	dir := os.Args[1]
	home := filepath.Dir(dir)
	env := map[string]string{"HOME": home, "HUB_HOST": "bench"}
	f, _ := os.Create("/tmp/cpu.prof")
	pprof.StartCPUProfile(f)
	var tl, ts, tp time.Duration
	n := 30
	for i := 0; i < n; i++ {
		t0 := time.Now()
		cfg, diags := config.Load(config.Options{Dir: dir, Env: env})
		if diags.HasErrors() {
			panic(diags.Error())
		}
		t1 := time.Now()
		st, err := (&states.FileStore{Path: filepath.Join(dir, ".hub", "state.json")}).Load(context.Background())
		if err != nil {
			panic(err)
		}
		t2 := time.Now()
		eng := &engine.Engine{Sys: system.OS{}, Env: targets.Env{Vars: env, Dir: dir}, Host: "bench"}
		if _, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{}); err != nil {
			panic(err)
		}
		t3 := time.Now()
		tl += t1.Sub(t0)
		ts += t2.Sub(t1)
		tp += t3.Sub(t2)
	}
	pprof.StopCPUProfile()
	fmt.Printf("load %v state %v plan %v\n", tl/time.Duration(n), ts/time.Duration(n), tp/time.Duration(n))
}
