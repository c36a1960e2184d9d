// A minimal ATIX agency node in Go, written from docs/onboarding.md and docs/protocol.md alone:
// it logs in with the agency's own key, reads and follows the registry and the clock, announces
// its presence, reads both of its consumers in order, verifies every delivery, receipts and
// acknowledges what it must, keeps the audit chain's signed head, and can submit an alert.
//
//	go-agency -key TJ.nk -connection TJ-connection.json [-alert "title"] [-head head.json]
//
// Build (Debian: golang-go, golang-github-nats-io-go-nats-dev, golang-github-nats-io-nkeys-dev):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o go-agency .
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// Connection is the file from the exchange's operator (`atix onboard`); see schemas/connection.json.
type Connection struct {
	Agency             string   `json:"agency"`
	Servers            []string `json:"servers"`
	InboxPrefix        string   `json:"inboxPrefix"`
	JetStreamAPIPrefix string   `json:"jetStreamApiPrefix"`
	Stream             string   `json:"stream"`
	Consumers          struct {
		Own       struct{ Name, FilterSubject string } `json:"own"`
		Broadcast struct{ Name, FilterSubject string } `json:"broadcast"`
	} `json:"consumers"`
	Publish   struct{ Submit, Presence string } `json:"publish"`
	Subscribe struct {
		Outcomes, Clock, AuditHead, Registry string
	} `json:"subscribe"`
	RegistryGet        string   `json:"registryGet"`
	PresenceIntervalMs int      `json:"presenceIntervalMs"`
	Clock              Clock    `json:"clock"`
	PublicKeys         Registry `json:"publicKeys"`
}

// What the coordinator tracks per recipient: receipted, then acknowledged.
var tracked = map[string]bool{"alert": true, "alert-update": true, "alert-retraction": true, "rfi": true, "rfi-response": true, "hit": true}

var logMu sync.Mutex

func logf(format string, args ...interface{}) {
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Printf("%s %s\n", time.Now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-agency: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	keyFile := flag.String("key", "", "the agency's seed file (ID.nk from `atix keys new`)")
	connFile := flag.String("connection", "", "the connection file from the exchange's operator (`atix onboard`)")
	alert := flag.String("alert", "", "submit a FLASH alert to every agency with this title once connected")
	headFile := flag.String("head", "", "keep the latest signed audit chain head here (for `atix audit verify --head`)")
	flag.Parse()
	if *keyFile == "" || *connFile == "" {
		fatal("expected -key FILE and -connection FILE")
	}
	var conn Connection
	if text, err := os.ReadFile(*connFile); err != nil || json.Unmarshal(text, &conn) != nil {
		fatal("cannot read the connection file %s", *connFile)
	}
	seed, err := os.ReadFile(*keyFile)
	if err != nil {
		fatal("cannot read %s: %v", *keyFile, err)
	}
	kp, err := nkeys.FromSeed(bytes.TrimSpace(seed))
	if err != nil {
		fatal("%s is not an nkey seed: %v", *keyFile, err)
	}
	pub, _ := kp.PublicKey()

	// nkey authentication, the agency's own inbox prefix, reconnecting for ever.
	nc, err := nats.Connect(strings.Join(conn.Servers, ","),
		nats.Name("go-agency-"+conn.Agency),
		nats.Nkey(pub, kp.Sign),
		nats.CustomInboxPrefix(conn.InboxPrefix),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { logf("disconnected: %v", err) }),
		nats.ReconnectHandler(func(*nats.Conn) { logf("reconnected") }))
	if err != nil {
		fatal("cannot connect: %v", err)
	}
	// Only the API calls its account imports: the prefix, and no stream or account lookups.
	js, err := nc.JetStream(nats.APIPrefix(conn.JetStreamAPIPrefix))
	if err != nil {
		fatal("jetstream: %v", err)
	}
	clock := &SimClock{}
	clock.Set(conn.Clock)
	if _, err := nc.Subscribe(conn.Subscribe.Clock, func(m *nats.Msg) {
		var c Clock
		if json.Unmarshal(m.Data, &c) == nil && c.Speed > 0 {
			clock.Set(c)
		}
	}); err != nil {
		fatal("clock: %v", err)
	}
	keys := &Keys{}
	keys.Adopt(conn.PublicKeys)
	if err := keys.Follow(nc, conn.Subscribe.Registry); err != nil {
		fatal("registry: %v", err)
	}
	if err := keys.Fetch(nc, conn.RegistryGet); err != nil {
		fatal("%v", err)
	}
	me := &Agency{ID: conn.Agency, Key: kp, Pub: pub, Clock: clock, JS: js}
	logf("connected as %s (%s)", me.ID, pub)

	// Outcomes of receipts and acknowledgements come only when they are rejected: log those.
	if _, err := nc.Subscribe(strings.Replace(conn.Subscribe.Outcomes, "<messageId>", ">", 1), func(m *nats.Msg) { logOutcome(m.Data, false) }); err != nil {
		fatal("outcomes: %v", err)
	}
	if *headFile != "" {
		keepHead(nc, conn.Subscribe.AuditHead, *headFile, keys)
	}
	go announce(nc, me, conn.Publish.Presence, time.Duration(conn.PresenceIntervalMs)*time.Millisecond)

	node := &Node{me: me, keys: keys, seen: map[string]bool{}}
	for _, c := range []struct {
		Name, FilterSubject string
		broadcast           bool
	}{{conn.Consumers.Own.Name, conn.Consumers.Own.FilterSubject, false}, {conn.Consumers.Broadcast.Name, conn.Consumers.Broadcast.FilterSubject, true}} {
		// Bound by stream and name; nats.go 1.22 wants the consumer's filter subject too.
		sub, err := js.PullSubscribe(c.FilterSubject, c.Name, nats.Bind(conn.Stream, c.Name))
		if err != nil {
			fatal("consumer %s: %v", c.Name, err)
		}
		go node.read(sub, c.broadcast)
	}
	if *alert != "" {
		go node.sendAlert(nc, *alert)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	offline := me.Compose("presence", map[string]interface{}{"status": "offline"}, "")
	if data, err := me.Sign(offline); err == nil {
		nc.Publish(conn.Publish.Presence, data)
	}
	nc.Drain()
	logf("stopped")
}

// Node handles deliveries: each consumer strictly in order, deduplicated by id across both.
type Node struct {
	me   *Agency
	keys *Keys
	mu   sync.Mutex
	seen map[string]bool
}

func (n *Node) read(sub *nats.Subscription, broadcast bool) {
	for {
		msgs, err := sub.Fetch(16, nats.MaxWait(2*time.Second))
		if err != nil && err != nats.ErrTimeout {
			if sub.IsValid() {
				logf("fetch: %v", err)
				time.Sleep(time.Second)
				continue
			}
			return
		}
		for _, msg := range msgs {
			if err := n.handle(msg, broadcast); err != nil {
				logf("delivery %d not handled (%v); it comes again", seqOf(msg), err)
				msg.Nak()
			}
		}
	}
}

func seqOf(msg *nats.Msg) uint64 {
	if meta, err := msg.Metadata(); err == nil {
		return meta.Sequence.Stream
	}
	return 0
}

func (n *Node) handle(msg *nats.Msg, broadcast bool) error {
	var m map[string]interface{}
	dec := json.NewDecoder(bytes.NewReader(msg.Data))
	dec.UseNumber() // numbers exactly as sent: the signature covers their canonical form
	if err := dec.Decode(&m); err != nil {
		logf("MALFORMED delivery %d skipped", seqOf(msg))
		return msg.Ack()
	}
	id, _ := m["id"].(string)
	kind, _ := m["kind"].(string)
	sender, _ := m["sender"].(string)
	if broadcast && sender == n.me.ID {
		return msg.Ack() // our own broadcast: we are not a recipient
	}
	// Nothing is believed, receipted or acknowledged unless its sender signed it.
	if err := n.keys.Verify(m, storedAt(msg)); err != nil {
		logf("REFUSED %s %s from %s: %v", kind, id, sender, err)
		return msg.Ack() // read again it would fail again
	}
	n.mu.Lock()
	repeat := n.seen[id]
	n.seen[id] = true
	n.mu.Unlock()
	logf("verified %s %s from %s", kind, id, sender)
	if !tracked[kind] {
		return msg.Ack() // outcomes (also heard live) and escalations are only read, never receipted
	}
	received := iso(n.me.Clock.Now())
	receipt := n.me.Compose("receipt", map[string]interface{}{"messageId": id, "receivedAt": received}, id)
	if err := n.me.Submit(receipt); err != nil {
		return err // not acked: it comes again, and a second receipt changes nothing
	}
	if err := msg.Ack(); err != nil {
		return nil
	}
	logf("receipted %s %s (receipt %s)", kind, id, receipt["id"])
	if repeat {
		return nil
	}
	// This node's duty officer reads at once.
	ack := n.me.Compose("acknowledgement", map[string]interface{}{"messageId": id, "officer": "Go node duty desk", "action": "noted"}, id)
	if err := n.me.Submit(ack); err != nil {
		logf("acknowledgement of %s not submitted: %v", id, err)
		return nil
	}
	logf("acknowledged %s %s (acknowledgement %s)", kind, id, ack["id"])
	return nil
}

// sendAlert submits a FLASH alert to every agency and waits for its outcome.
func (n *Node) sendAlert(nc *nats.Conn, title string) {
	body := map[string]interface{}{
		"precedence":   "FLASH",
		"category":     "terrorism",
		"title":        title,
		"evaluation":   map[string]interface{}{"reliability": "B", "credibility": 2},
		"tlp":          "AMBER",
		"handling":     "H1",
		"distribution": map[string]interface{}{"all": true},
	}
	m := n.me.Compose("alert", body, "")
	id := m["id"].(string)
	outcome, err := nc.SubscribeSync(fmt.Sprintf("atix.outcome.%s.%s", n.me.ID, id)) // before publishing
	if err != nil {
		logf("alert %s: %v", id, err)
		return
	}
	if err := n.me.Submit(m); err != nil {
		logf("alert %s not submitted: %v", id, err)
		return
	}
	logf("submitted alert %s", id)
	if reply, err := outcome.NextMsg(30 * time.Second); err == nil {
		logOutcome(reply.Data, true)
	} else {
		logf("no outcome for alert %s yet: it comes among the deliveries too", id)
	}
}

// logOutcome logs a rejection, and an acceptance when `accepted` says it is awaited.
func logOutcome(data []byte, accepted bool) {
	var o struct {
		Kind string `json:"kind"`
		Body struct {
			MessageID  string            `json:"messageId"`
			Recipients []string          `json:"recipients"`
			Reasons    []json.RawMessage `json:"reasons"`
		} `json:"body"`
	}
	if json.Unmarshal(data, &o) != nil {
		return
	}
	if o.Kind == "acceptance" && accepted {
		logf("accepted %s for %d recipients", o.Body.MessageID, len(o.Body.Recipients))
	} else if o.Kind == "rejection" {
		logf("rejected %s: %s", o.Body.MessageID, o.Body.Reasons)
	}
}

// announce publishes the node's signed presence now and every interval while connected.
func announce(nc *nats.Conn, me *Agency, subject string, every time.Duration) {
	if every <= 0 {
		every = 2 * time.Second
	}
	for {
		p := me.Compose("presence", map[string]interface{}{"status": "on-duty", "officer": "Go node duty desk"}, "")
		if data, err := me.Sign(p); err == nil {
			nc.Publish(subject, data)
		}
		time.Sleep(every)
	}
}

// keepHead keeps the latest audit chain head whose signature a coordinator key makes.
func keepHead(nc *nats.Conn, subject, file string, keys *Keys) {
	var last uint64
	nc.Subscribe(subject, func(m *nats.Msg) {
		var h struct {
			Seq       uint64 `json:"seq"`
			Hash      string `json:"hash"`
			Signature struct {
				Key   string `json:"key"`
				Value string `json:"value"`
			} `json:"signature"`
		}
		if json.Unmarshal(m.Data, &h) != nil || h.Seq <= last || keys.keyFor("ATIX", h.Signature.Key, time.Now()) != nil {
			return
		}
		// A head's signature covers the UTF-8 bytes of its hash (docs/audit.md).
		if pk, err := nkeys.FromPublicKey(h.Signature.Key); err == nil {
			if raw, err := decodeB64URL(h.Signature.Value); err == nil && pk.Verify([]byte(h.Hash), raw) == nil {
				last = h.Seq
				os.WriteFile(file, m.Data, 0o644)
			}
		}
	})
}
