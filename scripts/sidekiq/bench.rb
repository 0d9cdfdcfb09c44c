# Sidekiq side of scripts/bench --compare sidekiq. Prints one JSON object per figure on stdout.
#   ruby bench.rb enqueue-one N | enqueue-many N | latency RATE SECONDS
require 'json'
require_relative 'jobs'

def seconds
  t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  yield
  Process.clock_gettime(Process::CLOCK_MONOTONIC) - t
end

mode = ARGV[0]
case mode
when 'enqueue-one'
  n = Integer(ARGV[1])
  Sidekiq::Client.push('class' => NoopJob, 'args' => [42, 'welcome'])
  elapsed = seconds { n.times { Sidekiq::Client.push('class' => NoopJob, 'args' => [42, 'welcome']) } }
  puts({ metric: 'enqueue-one', value: n / elapsed }.to_json)
when 'enqueue-many'
  n = Integer(ARGV[1])
  batch = Array.new(1000) { [42, 'welcome'] }
  elapsed = seconds { (n / 1000).times { Sidekiq::Client.push_bulk('class' => NoopJob, 'args' => batch) } }
  puts({ metric: 'enqueue-many', value: n / elapsed }.to_json)
when 'fill'
  n = Integer(ARGV[1])
  batch = Array.new(1000) { [] }
  (n / 1000).times { Sidekiq::Client.push_bulk('class' => NoopJob, 'args' => batch) }
when 'latency'
  rate = Integer(ARGV[1])
  duration = Integer(ARGV[2])
  total = rate * duration
  start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  total.times do |i|
    due = start + i.to_f / rate
    now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    sleep(due - now) if due > now
    Sidekiq::Client.push('class' => LatencyJob, 'args' => [Time.now.to_f])
  end
  deadline = Time.now + 15
  sleep 0.05 while Sidekiq.redis { |r| r.llen('bench:latency') } < total && Time.now < deadline
  samples = Sidekiq.redis { |r| r.lrange('bench:latency', 0, -1) }.map { |v| v.to_f * 1000 }.sort
  pick = ->(p) { samples[[(p * samples.size).ceil - 1, 0].max] }
  puts({ metric: 'latency', p50: pick.call(0.5), p99: pick.call(0.99), max: samples.last }.to_json)
else
  warn "usage: ruby bench.rb enqueue-one N | enqueue-many N | fill N | latency RATE SECONDS"
  exit 2
end
