# syntax=docker/dockerfile:1
# Multi-stage build: compile in the Rust image, run from a slim Debian image as
# a non-root user.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin pulse \
    && cp target/release/pulse /usr/local/bin/pulse

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/pulse --create-home pulse
COPY --from=build /usr/local/bin/pulse /usr/local/bin/pulse
USER pulse
WORKDIR /var/lib/pulse
ENV PULSE_LISTEN=0.0.0.0:8080 \
    PULSE_DATA_DIR=/var/lib/pulse \
    PULSE_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["pulse", "healthcheck"]
ENTRYPOINT ["pulse"]
CMD ["serve"]
