// franz-go compat client: produces records from a canonical spec file and/or reads them back.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Canonical line: "[offset ]timestamp key value headers"; bytes are "-" (null) or "x<hex>",
// headers "h" + comma-separated "namehex:bytes".
func encBytes(b []byte, null bool) string {
	if null {
		return "-"
	}
	return "x" + hex.EncodeToString(b)
}

func decBytes(s string) ([]byte, error) {
	if s == "-" {
		return nil, nil
	}
	if !strings.HasPrefix(s, "x") {
		return nil, fmt.Errorf("bad bytes field %q", s)
	}
	b, err := hex.DecodeString(s[1:])
	if b == nil {
		b = []byte{} // empty but not null
	}
	return b, err
}

func decHeaders(s string) ([]kgo.RecordHeader, error) {
	if !strings.HasPrefix(s, "h") {
		return nil, fmt.Errorf("bad headers field %q", s)
	}
	var out []kgo.RecordHeader
	if len(s) == 1 {
		return out, nil
	}
	for _, item := range strings.Split(s[1:], ",") {
		name, val, ok := strings.Cut(item, ":")
		if !ok {
			return nil, fmt.Errorf("bad header %q", item)
		}
		n, err := hex.DecodeString(name)
		if err != nil {
			return nil, err
		}
		v, err := decBytes(val)
		if err != nil {
			return nil, err
		}
		out = append(out, kgo.RecordHeader{Key: string(n), Value: v})
	}
	return out, nil
}

func readSpecs(path string, topic string, count int) ([]*kgo.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []*kgo.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() && len(recs) < count {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		fields := strings.Split(line, " ")
		if len(fields) != 4 {
			return nil, fmt.Errorf("bad record line %q", line)
		}
		ts, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return nil, err
		}
		key, err := decBytes(fields[1])
		if err != nil {
			return nil, err
		}
		val, err := decBytes(fields[2])
		if err != nil {
			return nil, err
		}
		hs, err := decHeaders(fields[3])
		if err != nil {
			return nil, err
		}
		recs = append(recs, &kgo.Record{Topic: topic, Partition: 0, Key: key, Value: val,
			Headers: hs, Timestamp: time.UnixMilli(ts)})
	}
	if len(recs) < count {
		return nil, fmt.Errorf("spec file has only %d records", len(recs))
	}
	return recs, sc.Err()
}

func codecOf(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.NoCompression(), fmt.Errorf("unknown codec %q", name)
}

func produce(bootstrap, topic, codec, spec string, count int, timeout time.Duration) error {
	c, err := codecOf(codec)
	if err != nil {
		return err
	}
	recs, err := readSpecs(spec, topic, count)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ProducerBatchCompression(c),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerLinger(20*time.Millisecond),
		kgo.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

func consume(bootstrap, topic string, count int, timeout time.Duration) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	seen := 0
	for seen < count {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("timed out: consumed %d of %d", seen, count)
		}
		var ferr error
		fetches.EachError(func(t string, p int32, e error) { ferr = fmt.Errorf("%s/%d: %w", t, p, e) })
		if ferr != nil {
			return ferr
		}
		fetches.EachRecord(func(r *kgo.Record) {
			printRecord(out, r)
			seen++
		})
	}
	return nil
}

// groupConsume joins group, reads count records, commits the next offset, and leaves.
func groupConsume(bootstrap, topic, group string, count int, timeout time.Duration) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var last *kgo.Record
	seen := 0
	for seen < count {
		fetches := cl.PollRecords(ctx, count-seen)
		if ctx.Err() != nil {
			return fmt.Errorf("timed out: consumed %d of %d", seen, count)
		}
		var ferr error
		fetches.EachError(func(t string, p int32, e error) { ferr = fmt.Errorf("%s/%d: %w", t, p, e) })
		if ferr != nil {
			return ferr
		}
		fetches.EachRecord(func(r *kgo.Record) {
			printRecord(out, r)
			last = r
			seen++
		})
	}
	if last != nil {
		return cl.CommitRecords(ctx, last)
	}
	return nil
}

func printRecord(out *bufio.Writer, r *kgo.Record) {
	var hs []string
	for _, h := range r.Headers {
		hs = append(hs, hex.EncodeToString([]byte(h.Key))+":"+encBytes(h.Value, h.Value == nil))
	}
	fmt.Fprintf(out, "%d %d %s %s h%s\n", r.Offset, r.Timestamp.UnixMilli(),
		encBytes(r.Key, r.Key == nil), encBytes(r.Value, r.Value == nil), strings.Join(hs, ","))
}

func main() {
	bootstrap := flag.String("bootstrap", "127.0.0.1:9092", "bootstrap servers")
	topic := flag.String("topic", "", "topic (partition 0 is used)")
	codec := flag.String("codec", "none", "none|gzip|snappy|lz4|zstd")
	count := flag.Int("count", 50, "number of records")
	mode := flag.String("mode", "both", "produce|consume|both|group")
	group := flag.String("group", "", "consumer group (mode group)")
	spec := flag.String("spec", "", "canonical spec file (produce)")
	timeout := flag.Duration("timeout", 60*time.Second, "bound for each phase")
	flag.Parse()
	if *mode == "group" {
		if err := groupConsume(*bootstrap, *topic, *group, *count, *timeout); err != nil {
			fmt.Fprintln(os.Stderr, "group consume:", err)
			os.Exit(1)
		}
		return
	}
	if *mode != "consume" {
		if err := produce(*bootstrap, *topic, *codec, *spec, *count, *timeout); err != nil {
			fmt.Fprintln(os.Stderr, "produce:", err)
			os.Exit(1)
		}
	}
	if *mode != "produce" {
		if err := consume(*bootstrap, *topic, *count, *timeout); err != nil {
			fmt.Fprintln(os.Stderr, "consume:", err)
			os.Exit(1)
		}
	}
}
