// Internal: the shell scripts of the data mover's Pods (POSIX sh: busybox or dash, with rsync
// and OpenSSH). Every value comes from the environment or the mounted Secret, never from the
// script text.
#pragma once

namespace drsync::detail {

// Destination: sshd in the foreground on 2222, only the run's key, only as root, no forwarding.
inline constexpr const char* kSshdScript = R"sh(mkdir -p /run/sshd && chmod 0755 /run/sshd
exec "$(command -v sshd || echo /usr/sbin/sshd)" -D -e -p 2222 -o HostKey=/keys/host_key \
  -o AuthorizedKeysFile=/keys/authorized_keys -o StrictModes=no -o UsePAM=no \
  -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
  -o PermitRootLogin=prohibit-password -o AllowTcpForwarding=no -o X11Forwarding=no \
  -o AllowAgentForwarding=no -o PermitTunnel=no -o ClientAliveInterval=15
)sh";

// Source: rsync the read-only volume to the destination's sshd, pinning its host key; progress
// lines on stdout (\r turned into \n); the summary (exit, --stats lines, errors, verification)
// in the termination message.
inline constexpr const char* kRsyncScript = R"sh(set -u
printf '%s\n' "$DRSYNC_EXCLUDES" | sed '/^$/d' > /tmp/excludes
ssh_cmd="ssh -p $DRSYNC_PORT -i /keys/id -o UserKnownHostsFile=/keys/known_hosts \
-o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15 \
-o ServerAliveCountMax=4 -o LogLevel=ERROR -o Compression=no -T -x \
-o Ciphers=aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com"
bw=; [ "$DRSYNC_BWLIMIT" != 0 ] && bw="--bwlimit=$DRSYNC_BWLIMIT"
# A new Service's NodePort may take a moment to be routed: retry the first connection.
i=0
until $ssh_cmd "root@$DRSYNC_HOST" true 2>/tmp/err; do
  i=$((i + 1)); [ "$i" -ge 20 ] && break; sleep 1
done
set -f
{ rsync -aHAX --numeric-ids --delete --sparse --partial-dir=.drsync-partial \
    --exclude-from=/tmp/excludes --stats --info=progress2 $bw $DRSYNC_RSYNC_ARGS \
    -e "$ssh_cmd" /data/ "root@$DRSYNC_HOST:/data/" 2>/tmp/err; echo $? > /tmp/rc; } \
  | tr '\r' '\n' | tee /tmp/out
rc=$(cat /tmp/rc)
{ echo "rsync-exit: $rc"
  grep -E '^(Number of files|Number of regular files transferred|Total file size|Total bytes sent):' /tmp/out
  { head -n 2 /tmp/err; grep -m 1 -E 'No space left on device|Disk quota exceeded' /tmp/err
    tail -n 2 /tmp/err; } | sed '/^$/d' | awk '!seen[$0]++' | sed 's/^/rsync-error: /'
} > /tmp/summary
if { [ "$rc" = 0 ] || [ "$rc" = 24 ]; } && [ "$DRSYNC_VERIFY" != none ]; then
  from=
  if [ "$DRSYNC_VERIFY" = sample ]; then
    # Every 20th regular file of rsync's own listing, which applies the excludes as the copy did
    # (a list of paths under an excluded folder would name files the copy rightly left out).
    rsync -a --list-only --exclude-from=/tmp/excludes --exclude=.drsync-partial /data/ \
      | sed -n 's/^-[^ ]* *[0-9,]* [0-9/]* [0-9:]* //p' | awk 'NR % 20 == 1' > /tmp/list
    from="--files-from=/tmp/list"
  fi
  rsync -aHAXc --numeric-ids --dry-run --itemize-changes --stats --exclude-from=/tmp/excludes \
    --exclude=.drsync-partial $from -e "$ssh_cmd" /data/ "root@$DRSYNC_HOST:/data/" \
    > /tmp/verify 2>>/tmp/err
  vrc=$?
  # Files compared: the regular files rsync considered (excluded ones are not).
  n=$(sed -n 's/^Number of files:.*reg: \([0-9,]*\).*/\1/p' /tmp/verify | tr -d ,)
  n=${n:-0}
  differ=$(grep -c '^[<>ch*]' /tmp/verify)
  echo "verify: $DRSYNC_VERIFY $n $differ $vrc" >> /tmp/summary
fi
head -c 3900 /tmp/summary > /dev/termination-log
exit "$rc"
)sh";

}  // namespace drsync::detail
