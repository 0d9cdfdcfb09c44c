# Sidekiq workers for scripts/bench --compare sidekiq: the same no-op and latency jobs Spool runs.
require 'sidekiq'

Sidekiq.configure_server { |config| config.redis = { url: ENV.fetch('BENCH_REDIS_URL') } }
Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch('BENCH_REDIS_URL') } }

class NoopJob
  include Sidekiq::Worker
  sidekiq_options queue: 'bench', retry: 5

  def perform(*_args); end
end

class LatencyJob
  include Sidekiq::Worker
  sidekiq_options queue: 'bench', retry: 0

  # Records enqueue → start latency (seconds) in a Redis list the benchmark reads.
  def perform(sent_at)
    latency = Time.now.to_f - sent_at
    Sidekiq.redis { |r| r.rpush('bench:latency', latency) }
  end
end
