# The `s4e` command line in a small image: built with cargo-auditable (its
# dependency list stays readable by `cargo audit bin`, Trivy and Grype), run
# from a distroless base (no shell, no package manager) as a non-root user.
#
#   docker build -t s4e .
#   docker run --rm -e S4E_API_KEY s4e gate --fail-on high
#
# The Rust version is the workspace's toolchain; rust-version (1.85) is the
# floor, not the build's.
FROM docker.io/library/rust:1.95-slim-bookworm AS build
WORKDIR /src
RUN cargo install --locked cargo-auditable@0.7.2
COPY . .
RUN cargo auditable build --release --locked -p s4e-cli \
    && cp target/release/s4e /usr/local/bin/s4e

# glibc and libgcc only (what a Rust binary links); its `nonroot` user is uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /usr/local/bin/s4e /usr/local/bin/s4e
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/s4e"]
CMD ["--help"]
