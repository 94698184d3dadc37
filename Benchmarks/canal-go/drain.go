// Drains a `sluice serve` destination with canal-go's SimpleCanalConnector, unchanged, and
// times it: the Go counterpart of Benchmarks/serve-drain.py. Built by Benchmarks/canal-go-drain.sh.
//
//	drain [--batch 100] [--decode rows|entries] [--host 127.0.0.1] PORT
//
// GET + ACK per batch (connector.Get), fetch size -batch (KiB of entries when the server counts
// in memsize, Canal's default). --decode rows parses every ROWDATA entry's RowChange and reads
// every column value, as canal-go's sample does; --decode entries reads the rowsCount header
// property instead. Prints one JSON line: rows, entries, batches, wall_s (subscribe to the
// empty batch), client_cpu_s (this process, user + system), GET+ACK times and the number of
// them slower than 35 ms (a delayed-ACK stall is 40 ms).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/withlin/canal-go/client"
	pbe "github.com/withlin/canal-go/protocol/entry"
	"google.golang.org/protobuf/proto"
)

func cpuSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "canal-go drain: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	host := flag.String("host", "127.0.0.1", "server address")
	port := flag.Int("port", 11111, "server port")
	batch := flag.Int("batch", 100, "fetch size (KiB in memsize mode)")
	decode := flag.String("decode", "rows", "rows or entries")
	destination := flag.String("destination", "example", "destination")
	flag.Parse()
	if flag.NArg() == 1 {
		p, err := strconv.Atoi(flag.Arg(0))
		if err != nil {
			fail("the port is a number, not %q", flag.Arg(0))
		}
		*port = p
	} else if flag.NArg() > 1 {
		fail("one port, after the options")
	}
	if *decode != "rows" && *decode != "entries" {
		fail("-decode takes rows or entries, not %q", *decode)
	}

	connector := client.NewSimpleCanalConnector(*host, *port, "", "", *destination, 60000, 60*60*1000)
	if err := connector.Connect(); err != nil {
		fail("connect: %v", err)
	}
	if err := connector.Subscribe(".*\\..*"); err != nil {
		fail("subscribe: %v", err)
	}

	var rows, entries, batches int64
	var times []float64
	cpu0 := cpuSeconds()
	wall0 := time.Now()
	for {
		t := time.Now()
		message, err := connector.Get(int32(*batch), nil, nil)
		times = append(times, float64(time.Since(t).Microseconds())/1000)
		if err != nil {
			fail("get: %v", err)
		}
		if message.Id == -1 || len(message.Entries) == 0 {
			break
		}
		batches++
		for i := range message.Entries {
			entry := &message.Entries[i]
			entries++
			if entry.GetEntryType() != pbe.EntryType_ROWDATA {
				continue
			}
			if *decode == "entries" {
				for _, prop := range entry.GetHeader().GetProps() {
					if prop.GetKey() == "rowsCount" {
						n, _ := strconv.ParseInt(prop.GetValue(), 10, 64)
						rows += n
					}
				}
				continue
			}
			change := new(pbe.RowChange)
			if err := proto.Unmarshal(entry.GetStoreValue(), change); err != nil {
				fail("entry %d: RowChange: %v", entries, err)
			}
			for _, row := range change.GetRowDatas() {
				rows++
				for _, column := range row.GetBeforeColumns() {
					_ = column.GetValue()
				}
				for _, column := range row.GetAfterColumns() {
					_ = column.GetValue()
				}
			}
		}
	}
	wall := time.Since(wall0).Seconds()
	cpu := cpuSeconds() - cpu0
	connector.DisConnection()

	sort.Float64s(times)
	pct := func(p float64) float64 {
		i := int(p * float64(len(times)))
		if i >= len(times) {
			i = len(times) - 1
		}
		return float64(int(times[i]*100)) / 100
	}
	slow := 0
	for _, x := range times {
		if x > 35 {
			slow++
		}
	}
	out, _ := json.Marshal(map[string]interface{}{
		"client": "canal-go", "decode": *decode, "batch": *batch,
		"rows": rows, "entries": entries, "batches": batches,
		"wall_s": float64(int(wall*1000)) / 1000, "client_cpu_s": float64(int(cpu*1000)) / 1000,
		"get_ms_p50": pct(0.5), "get_ms_p90": pct(0.9), "get_ms_max": pct(1.0),
		"gets_over_35ms": slow,
	})
	fmt.Println(string(out))
}
