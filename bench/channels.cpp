// Channel throughput and latency through a real `pincer serve` against the
// Telegram and WhatsApp emulators of the test suite.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench.hpp"
#include "tests/e2e/emulators/telegram_emulator.hpp"
#include "tests/e2e/emulators/whatsapp_emulator.hpp"
#include "tests/e2e/http_client.hpp"
#include "tests/e2e/server_process.hpp"

namespace pincer::bench {

namespace {

using clock_type = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* bot_token = "4242:AAH-bench_token";
constexpr const char* wa_token = "EAAG-bench-token";
constexpr const char* wa_phone = "106540352242922";
constexpr const char* wa_secret = "bench-app-secret";
constexpr const char* api = "/api/v1";

struct options {
  size_t messages = 20000;
  size_t clients = 64;
  size_t webhooks = 500;
  std::string dir = "/tmp";
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    if (name == "--messages")
      o.messages = std::stoul(argv[i + 1]);
    else if (name == "--clients")
      o.clients = std::max<size_t>(1, std::stoul(argv[i + 1]));
    else if (name == "--webhooks")
      o.webhooks = std::stoul(argv[i + 1]);
    else if (name == "--dir")
      o.dir = argv[i + 1];
  }
  return o;
}

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i = static_cast<size_t>(p * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

/// Sends `total` requests from `clients` threads, each with its own
/// keep-alive connection; returns the number answered with `want`.
template <class Send>
size_t fan_out(const std::string& base, size_t total, size_t clients, long want, Send send) {
  std::atomic<size_t> next{0}, ok{0};
  std::vector<std::thread> threads;
  for (size_t c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      e2e::http_client client{base};
      for (auto i = next++; i < total; i = next++)
        if (send(client, i).status == want)
          ++ok;
    });
  for (auto& t : threads)
    t.join();
  return ok.load();
}

/// Arrival times of `message.queued` events, read from the SSE live tail.
class queued_watch {
public:
  explicit queued_watch(std::string base) : client_(std::move(base)) {
    client_.timeout(std::chrono::hours{1});
    reader_ = std::thread{[this] {
      std::string buffer;
      client_.stream(std::string{api} + "/events/stream", [this, &buffer](std::string_view chunk) {
        buffer.append(chunk);
        for (auto end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
          if (buffer.substr(0, end).find("event: message.queued\n") != std::string::npos) {
            std::lock_guard<std::mutex> guard{m_};
            arrivals_.push_back(clock_type::now());
            cv_.notify_all();
          }
          buffer.erase(0, end + 2);
        }
        return !stop_.load();
      });
    }};
  }

  ~queued_watch() {
    stop_ = true;
    reader_.detach(); // ends with the server's stream
  }

  /// Waits for the `n`-th arrival (1-based) and returns when it came.
  std::optional<clock_type::time_point> wait(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{m_};
    if (!cv_.wait_for(lock, timeout, [&] { return arrivals_.size() >= n; }))
      return std::nullopt;
    return arrivals_[n - 1];
  }

private:
  e2e::http_client client_;
  std::atomic<bool> stop_{false};
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<clock_type::time_point> arrivals_;
  std::thread reader_;
};

std::string text_of(size_t i) {
  return "bench message " + std::to_string(i);
}

} // namespace

int channels_main(int argc, char** argv) {
  auto o = parse(argc, argv);
  emu::telegram_emulator telegram;
  emu::whatsapp_emulator whatsapp;
  telegram.add_bot(bot_token, 4242, "bench_bot");
  whatsapp.add_token(wa_token);
  whatsapp.add_phone_number(wa_phone, "15550783881", "Bench");
  auto data = std::filesystem::path{o.dir} / "channels-data";
  std::filesystem::remove_all(data);
  // Runs fail at once (no such runtime) and retry far later: only the
  // channel paths are measured.
  auto server = e2e::server_process::serve(
      data.string(), {"--runtime", "docker", "--retry-base-ms", "600000", "--log-level", "warn",
                      "--telegram-api-url", telegram.url(), "--whatsapp-api-url", whatsapp.url()});
  e2e::http_client client{server->base_url()};
  auto must = [](const e2e::http_response& r, const char* what) {
    if (r.status / 100 != 2) {
      std::cerr << what << " failed: " << r.status << " " << r.body << "\n";
      std::exit(1);
    }
  };
  must(client.post(std::string{api} + "/channels/telegram/connect", json{{"botToken", bot_token}}),
       "telegram connect");
  must(client.post(std::string{api} + "/channels/whatsapp/connect",
                   json{{"accessToken", wa_token}, {"phoneNumberId", wa_phone},
                        {"verifyToken", "v"}, {"appSecret", wa_secret}}),
       "whatsapp connect");
  must(client.post(std::string{api} + "/container/namespaces",
                   json{{"name", "bench"}, {"chatJids", {"wa:16505550000"}}, {"requiresTrigger", false}}),
       "namespace");

  // Baseline: the same messages sent straight to the emulator's sendMessage.
  auto direct_path = "/bot" + std::string{bot_token} + "/sendMessage";
  auto t0 = clock_type::now();
  auto direct_ok = fan_out(telegram.url(), o.messages, o.clients, 200,
                           [&](e2e::http_client& c, size_t i) {
                             return c.post(direct_path, json{{"chat_id", 42}, {"text", text_of(i)}});
                           });
  auto direct_rps = static_cast<double>(direct_ok) / seconds_since(t0);
  auto before = telegram.sent().size();

  // Through pincer: accepted (202) and then delivered to the emulator.
  t0 = clock_type::now();
  auto accepted = fan_out(server->base_url(), o.messages, o.clients, 202, [&](e2e::http_client& c, size_t i) {
    return c.post(std::string{api} + "/channels/messages",
                  json{{"chatJid", "tg:42"}, {"text", text_of(i)}});
  });
  auto accept_secs = seconds_since(t0);
  bool all = telegram.wait_sent(before + accepted, std::chrono::seconds{600});
  auto deliver_secs = seconds_since(t0);
  auto delivered = telegram.sent().size() - before;

  // Inbound: a signed webhook POST until its pending message exists.
  queued_watch watch{server->base_url()};
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  std::vector<double> latencies;
  e2e::http_client hook{server->base_url()};
  for (size_t i = 0; i < o.webhooks; ++i) {
    auto body = emu::whatsapp_emulator::text_delivery(wa_phone, "16505550000", "Bench",
                                                      "wamid.bench." + std::to_string(i), "hello " + std::to_string(i))
                  .dump();
    auto start = clock_type::now();
    auto res = hook.request("POST", std::string{api} + "/channels/whatsapp/webhook", body,
                            {"Content-Type: application/json",
                             "X-Hub-Signature-256: " + emu::whatsapp_emulator::signature(wa_secret, body)});
    auto queued = watch.wait(i + 1, std::chrono::seconds{10});
    if (res.status != 200 || !queued) {
      std::cerr << "webhook " << i << " not queued (" << res.status << ")\n";
      break;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(*queued - start).count());
  }
  server->stop();
  std::printf("messages=%zu accepted=%zu delivered=%zu accept_rps=%.0f deliver_rps=%.0f direct_rps=%.0f "
              "ratio=%.2f webhooks=%zu inbound_p50_ms=%.2f inbound_p99_ms=%.2f\n",
              o.messages, accepted, delivered, static_cast<double>(accepted) / accept_secs,
              static_cast<double>(delivered) / deliver_secs, direct_rps,
              static_cast<double>(delivered) / deliver_secs / std::max(direct_rps, 1.0), latencies.size(),
              percentile(latencies, 0.5), percentile(latencies, 0.99));
  return all && accepted == o.messages && latencies.size() == o.webhooks ? 0 : 1;
}

} // namespace pincer::bench
