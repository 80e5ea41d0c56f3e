# Multi-stage build: compile in the Rust image, run from a slim Debian.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# The manifest names the benches, and patches rs-trafilatura with vendor/.
COPY vendor ./vendor
COPY benches ./benches
COPY src ./src
RUN cargo build --release --locked --bin claimwire

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/claimwire claimwire \
 && mkdir -p /var/lib/claimwire && chown claimwire /var/lib/claimwire
COPY --from=build /src/target/release/claimwire /usr/local/bin/claimwire
COPY pipelines /etc/claimwire/pipelines
USER claimwire
ENV CLAIMWIRE_DB=/var/lib/claimwire/claims.db
# Feeds come from the internet: refuse URLs into the host's own networks (SSRF).
ENV CLAIMWIRE_BLOCK_INTERNAL=true
VOLUME /var/lib/claimwire
ENTRYPOINT ["claimwire"]
EXPOSE 8080
CMD ["run", "/etc/claimwire/pipelines", "--listen", "0.0.0.0:8080"]
