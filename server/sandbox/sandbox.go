package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookflow/hookflow/flows"
)

// startedFrame is the message a process sends as a job's script starts.
var startedFrame = []byte(`"started"`)

// EnvChild is set in a sandbox process's environment; EnvMemory carries its memory bound.
const (
	EnvChild  = "HOOKFLOW_JS_SANDBOX"
	EnvMemory = "HOOKFLOW_JS_SANDBOX_MEMORY"
)

// Defaults of Options.
const (
	DefaultMemoryLimit = 256 << 20
	DefaultGrace       = 500 * time.Millisecond
	DefaultSize        = 4
	memoryEvery        = 5 * time.Millisecond
	// A script still running after hogAfter has its process's CPU priority lowered, so that the
	// short scripts of everyone else go first on a busy machine; such a process is not reused.
	hogAfter = 100 * time.Millisecond
	// startTimeout bounds a new process's start and warm-up, setupTimeout a job's compilation
	// and runtime before its script starts.
	startTimeout = 30 * time.Second
	setupTimeout = 10 * time.Second
	// maxFrame bounds one message: a job is at most 8 MB of input, an outcome 1 MB of result
	// and 200 KB of log; anything larger means the child is not one of ours.
	maxFrame = 32 << 20
)

// IsChild reports whether this process was started as a sandbox process.
func IsChild() bool { return os.Getenv(EnvChild) == "1" }

// Options say how a Pool starts and bounds its processes.
type Options struct {
	// Command makes the command of a new process; the pool adds stdin, stdout and the
	// environment. Default: this executable with the argument js-sandbox.
	Command func() (*exec.Cmd, error)
	// Size is the most processes running scripts at once (default 4); more jobs wait.
	Size int
	// Spare is how many processes are kept started and idle ahead of need (default 2), on top
	// of Size.
	Spare int
	// MemoryLimit is the resident memory of one process at which it is killed (default 256 MB).
	MemoryLimit int64
	// Started, when set, is called as a job's script starts in its process (after compiling and
	// making its runtime): the moment its time limit counts from.
	Started func(flows.ScriptJob)
	// Grace is how long past its time limit a script may run before its process is killed
	// (default 500 ms; the process itself stops scripts at the limit when it can).
	Grace time.Duration
}

// Pool runs scripts in sandbox processes. It is a flows.ScriptRunner.
type Pool struct {
	opts  Options
	slots chan struct{}

	mu       sync.Mutex
	idle     []*proc
	all      map[*proc]struct{}
	starting int // spare processes being started
	closed   bool
}

var errDied = errors.New("the JavaScript sandbox stopped unexpectedly")

// New makes a pool; processes start on first use.
func New(opts Options) *Pool {
	if opts.Size <= 0 {
		opts.Size = DefaultSize
	}
	if opts.Spare <= 0 {
		opts.Spare = 2
	}
	if opts.MemoryLimit <= 0 {
		opts.MemoryLimit = DefaultMemoryLimit
	}
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	if opts.Command == nil {
		opts.Command = func() (*exec.Cmd, error) {
			exe, err := os.Executable()
			if err != nil {
				return nil, err
			}
			return exec.Command(exe, "js-sandbox"), nil
		}
	}
	return &Pool{opts: opts, slots: make(chan struct{}, opts.Size), all: map[*proc]struct{}{}}
}

// RunScript runs job in a sandbox process (see flows.ScriptRunner).
func (p *Pool) RunScript(ctx context.Context, job flows.ScriptJob) (flows.ScriptOutcome, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return flows.ScriptOutcome{}, ctx.Err()
	}
	defer func() { <-p.slots }()
	pr, err := p.get()
	if err != nil {
		return flows.ScriptOutcome{}, fmt.Errorf("the JavaScript sandbox could not start: %w", err)
	}
	data, err := json.Marshal(job)
	if err != nil {
		p.put(pr)
		return flows.ScriptOutcome{}, err
	}
	if err := writeFrame(pr.in, data); err != nil {
		p.drop(pr)
		return flows.ScriptOutcome{}, errDied
	}
	// Until the script starts (compiling it and making its runtime come first, slow on a cold
	// process under load) the process gets setupTimeout; then the script's limit plus Grace.
	limit := time.NewTimer(setupTimeout)
	defer limit.Stop()
	tick := time.NewTicker(memoryEvery)
	defer tick.Stop()
	started, niced := time.Now(), false
	for {
		select {
		case r, ok := <-pr.replies:
			if !ok {
				// The process died under the script. User code cannot end it otherwise (no
				// process, no exit; the engine recovers from panics), so it ran out of a
				// resource: its data limit, almost always, or the stack.
				p.drop(pr)
				return flows.ScriptOutcome{}, flows.ErrScriptMemory
			}
			select { // a start not yet taken belongs to this job
			case <-pr.started:
			default:
			}
			// A process that kept much of what a script allocated is replaced rather than
			// reused, so that the next script has its whole allowance.
			if rss, ok := residentBytes(pr.cmd.Process.Pid); niced || ok && rss > p.opts.MemoryLimit/2 {
				p.drop(pr)
			} else {
				p.put(pr)
			}
			return r, nil
		case <-pr.started:
			limit.Reset(time.Duration(job.TimeoutMs)*time.Millisecond + p.opts.Grace)
			started = time.Now()
			if p.opts.Started != nil {
				p.opts.Started(job)
			}
		case <-limit.C:
			p.drop(pr)
			return flows.ScriptOutcome{}, flows.ErrScriptTimeout
		case <-ctx.Done():
			p.drop(pr)
			return flows.ScriptOutcome{}, ctx.Err()
		case <-tick.C:
			if rss, ok := residentBytes(pr.cmd.Process.Pid); ok && rss > p.opts.MemoryLimit {
				p.drop(pr)
				return flows.ScriptOutcome{}, flows.ErrScriptMemory
			}
			if !niced && time.Since(started) > hogAfter {
				niced = true
				lowerPriority(pr.cmd.Process.Pid)
			}
		}
	}
}

// Close kills every process; jobs running fail.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	all := make([]*proc, 0, len(p.all))
	for pr := range p.all {
		all = append(all, pr)
	}
	p.idle = nil
	p.mu.Unlock()
	for _, pr := range all {
		pr.kill()
	}
}

// Processes is how many sandbox processes are alive (tests, metrics).
func (p *Pool) Processes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.all)
}

func (p *Pool) get() (*proc, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("the pool is closed")
	}
	if n := len(p.idle); n > 0 {
		pr := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.spare()
		p.mu.Unlock()
		return pr, nil
	}
	p.mu.Unlock()
	pr, err := p.start()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		pr.kill()
		return nil, errors.New("the pool is closed")
	}
	p.all[pr] = struct{}{}
	p.spare()
	return pr, nil
}

// spare starts processes in the background until Spare of them are idle or starting, so that a
// job rarely waits for a process to start (hundreds of milliseconds on a busy machine); p.mu is
// held.
func (p *Pool) spare() {
	for !p.closed && len(p.idle)+p.starting < p.opts.Spare && len(p.all)+p.starting < p.opts.Size+p.opts.Spare {
		p.starting++
		go func() {
			pr, err := p.start()
			p.mu.Lock()
			defer p.mu.Unlock()
			p.starting--
			if err != nil {
				return
			}
			if p.closed {
				pr.kill()
				return
			}
			p.all[pr] = struct{}{}
			p.idle = append(p.idle, pr)
		}()
	}
}

func (p *Pool) put(pr *proc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.idle = append(p.idle, pr)
}

func (p *Pool) drop(pr *proc) {
	pr.kill()
	p.mu.Lock()
	delete(p.all, pr)
	p.spare()
	p.mu.Unlock()
}

// proc is one sandbox process.
type proc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	replies chan flows.ScriptOutcome // closed when its stdout ends
	started chan struct{}            // the job's script started (its time limit runs from here)
	exited  chan struct{}            // closed once the process is reaped
}

func (p *Pool) start() (*proc, error) {
	cmd, err := p.opts.Command()
	if err != nil {
		return nil, err
	}
	// Nothing of the server's environment: secrets and database URLs stay out of reach.
	cmd.Env = []string{EnvChild + "=1", EnvMemory + "=" + strconv.FormatInt(p.opts.MemoryLimit, 10), "GOMAXPROCS=1"}
	childAttrs(cmd)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	pr := &proc{cmd: cmd, in: in, replies: make(chan flows.ScriptOutcome, 1), started: make(chan struct{}, 1), exited: make(chan struct{})}
	// Stderr stays closed: a process that runs out of memory writes a long trace no one reads.
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan bool, 1)
	go func() {
		defer close(pr.replies)
		r := bufio.NewReader(out)
		// The first message says the process is warm (see Serve): until then it is not given a
		// job, so its start does not count against a script's time limit.
		_, err := readFrame(r)
		ready <- err == nil
		if err != nil {
			return
		}
		for {
			data, err := readFrame(r)
			if err != nil {
				return
			}
			if bytes.Equal(data, startedFrame) {
				pr.started <- struct{}{}
				continue
			}
			var o flows.ScriptOutcome
			if json.Unmarshal(data, &o) != nil {
				return
			}
			pr.replies <- o
		}
	}()
	go func() {
		_ = cmd.Wait() // how it ended is read from the replies, not the exit status
		close(pr.exited)
	}()
	select {
	case ok := <-ready:
		if ok {
			return pr, nil
		}
	case <-time.After(startTimeout):
	}
	pr.kill()
	return nil, errors.New("the process did not start")
}

func (pr *proc) kill() {
	_ = pr.cmd.Process.Kill()
	_ = pr.in.Close()
}

func writeFrame(w io.Writer, data []byte) error {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	if _, err := w.Write(append(n[:], data...)); err != nil {
		return err
	}
	return nil
}

func readFrame(r io.Reader) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > maxFrame {
		return nil, fmt.Errorf("a message of %d bytes", size)
	}
	data := make([]byte, size)
	_, err := io.ReadFull(r, data)
	return data, err
}

// Serve is the sandbox process: it runs jobs from in and writes their outcomes to out until in
// ends. It bounds its own memory first.
func Serve(in io.Reader, out io.Writer) error {
	limit, _ := strconv.ParseInt(os.Getenv(EnvMemory), 10, 64)
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	// The collector keeps the heap well under the bound where it can, so garbage does not get
	// a process killed; the data limit stops what the parent's sampling would see too late.
	debug.SetMemoryLimit(limit / 2)
	limitData(limit)
	// Warm up (the engine's first runtime, its first compilation), then say so.
	flows.RunScriptJob(context.Background(), flows.ScriptJob{Code: "return input", Arg: []byte(`{"input":1}`), TimeoutMs: 10000}, nil)
	if err := writeFrame(out, []byte("{}")); err != nil {
		return err
	}
	r := bufio.NewReader(in)
	for {
		data, err := readFrame(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var job flows.ScriptJob
		if err := json.Unmarshal(data, &job); err != nil {
			return err
		}
		var werr error
		o := flows.RunScriptJob(context.Background(), job, func() { werr = writeFrame(out, startedFrame) })
		if werr != nil {
			return werr
		}
		data, err = json.Marshal(o)
		if err != nil {
			return err
		}
		if err := writeFrame(out, data); err != nil {
			return err
		}
	}
}

// Main is the body of `hookflow js-sandbox` and of a test binary started as a sandbox process.
func Main() int {
	if err := Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "js-sandbox:", err)
		return 1
	}
	return 0
}

// residentBytes is a process's resident memory, when the system says.
func residentBytes(pid int) (int64, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
