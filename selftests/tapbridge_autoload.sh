#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module and taptool as the packages install them, used as an operator
# would: nothing insmod-ed by hand. The files come from the host's
# packaging tests (selftests/pkg/run_all.sh, before the VM in `make
# check`): build/pkg/modroot/lib/modules/RELEASE is the tree `dkms install`
# filled from the source tapbridge-dkms installs (dkms.sh), and
# build/pkg/installed/usr/sbin/taptool is the binary of the taptool
# package (deb.sh).
#
#   1. The build's tapbridge.ko is unloaded, and a tmpfs over /lib/modules
#      with the dkms tree (and the kernel's own modules, linked) makes it
#      the only tapbridge modprobe can find: depmod, modinfo and both
#      aliases resolve to updates/dkms.
#   2. modinfo gives what the package promises: license GPL, both aliases,
#      vermagic of the running kernel.
#   3. The first command of the installed taptool (show) loads the module:
#      the kernel's genl controller runs modprobe for the family alias
#      (seen through a logging /proc/sys/kernel/modprobe), the command
#      succeeds, and the module loaded is the installed file (its GNU
#      build ID in /sys/module/tapbridge/notes), not the build's.
#      `ip link add type tapbridge` loads it the same way through the
#      rtnl-link alias. modprobe -r and modprobe work from the tree.
#   4. With both installed, an instance over veth pairs forwards and
#      mirrors frames byte for byte, each counted, and is deleted.
#   5. Everything is put back as the scripts after this one expect: the
#      build's tapbridge.ko loaded, /lib/modules and the modprobe path as
#      they were.
#
# Skips (exit 4) when build/pkg has no dkms-installed module for the
# running kernel (a stock kernel of `make check-kernels` that dkms.sh
# found no headers for) or no installed taptool.
#
#   $TAP: xa ---- pa --[tap0 aggregate]-- pb ---- xb    (xa, xb, y in $FAR)
#                           |
#                           +--mirror-- m ---- y

source "$(dirname "$0")/lib.sh"

tbr_require_reload

RELEASE=$(uname -r)
VERSION=$("$TBR_ROOT/scripts/version.sh")
PKG=$TBR_ROOT/build/pkg
MODROOT=$PKG/modroot/lib/modules/$RELEASE
INSTALLED_TAPTOOL=$PKG/installed/usr/sbin/taptool
GENL_ALIAS=net-pf-16-proto-16-family-tapbridge
RTNL_ALIAS=rtnl-link-tapbridge

# The module file in the dkms tree, relative to lib/modules/RELEASE.
KO=
[ -d "$MODROOT" ] &&
	KO=$(cd "$MODROOT" && find . -name 'tapbridge.ko*' | sed 's,^\./,,' | head -n 1)
if [ -z "$KO" ]; then
	echo "1..0 # SKIP no dkms-installed tapbridge.ko for $RELEASE in build/pkg/modroot" \
	     "(selftests/pkg/dkms.sh installs one for each kernel it has headers of)"
	exit $ksft_skip
fi
if [ ! -x "$INSTALLED_TAPTOOL" ]; then
	echo "1..0 # SKIP no installed taptool in build/pkg/installed (selftests/pkg/deb.sh)"
	exit $ksft_skip
fi
for tool in modprobe modinfo depmod readelf mountpoint; do
	if ! command -v "$tool" > /dev/null; then
		echo "1..0 # SKIP $tool not found"
		exit $ksft_skip
	fi
done

# From here on, taptool is the installed one: tt, and frames.py's
# "taptool -j stats", find it first.
export PATH=${INSTALLED_TAPTOOL%/*}:$PATH

# build_id FILE: the GNU build ID of a module file (compressed or not).
build_id()
{
	local file=$1

	case $file in
	*.xz)	xz -dc "$file" > "$TBR_TMP/ko" ;;
	*.zst)	zstd -dcq "$file" > "$TBR_TMP/ko" ;;
	*.gz)	gzip -dc "$file" > "$TBR_TMP/ko" ;;
	*)	cp "$file" "$TBR_TMP/ko" ;;
	esac
	readelf -n "$TBR_TMP/ko" 2> /dev/null | sed -n 's/^ *Build ID: *//p'
}

# loaded_build_id: that of the tapbridge loaded now, from its ELF note
# (4-byte name size, desc size and type, "GNU\0", then the ID).
loaded_build_id()
{
	od -An -v -tx1 /sys/module/tapbridge/notes/.note.gnu.build-id 2> /dev/null |
		tr -d ' \n' | cut -c33-
}

BUILD_ID=$(build_id "$MODULE")
INSTALLED_ID=$(build_id "$MODROOT/$KO")
MODPROBE_SAVED=$(cat /proc/sys/kernel/modprobe)
MOUNTS_SAVED=$(awk '$2 == "/lib/modules" || $2 == "/usr/lib/modules"' /proc/self/mounts)
MOUNTED=
ktap_print_msg "installed module: build/pkg/modroot/lib/modules/$RELEASE/$KO, build ID $INSTALLED_ID"
ktap_print_msg "build's module: ${MODULE#"$TBR_ROOT"/}, build ID $BUILD_ID"
# Neither file has a srcversion (no MODULE_VERSION, and the kernels lack
# MODULE_SRCVERSION_ALL), and the sources are the same anyway: the build
# ID, which the link of each build makes its own, tells them apart.
if [ "$INSTALLED_ID" == "$BUILD_ID" ]; then
	ktap_print_msg "both files have the same build ID: only the tmpfs says which was loaded"
fi

# restore: what the scripts after this one expect, whatever happened
# here; safe to call twice.
restore()
{
	if [ -d /sys/module/tapbridge ] && [ "$(loaded_build_id)" != "$BUILD_ID" ]; then
		modprobe -r tapbridge 2> /dev/null || rmmod tapbridge
	fi
	# udevd's kmod context keeps the module indexes it read from the
	# tmpfs mapped (an uevent of the veth pairs is enough): the tmpfs
	# is detached then, and freed when udevd, told to reload, lets go.
	if [ -n "$MOUNTED" ] && mountpoint -q "$MOUNTED"; then
		{ umount "$MOUNTED" 2> /dev/null || umount -l "$MOUNTED"; } && MOUNTED=
		udevadm control --reload 2> /dev/null
	fi
	echo "$MODPROBE_SAVED" > /proc/sys/kernel/modprobe
	[ -d /sys/module/tapbridge ] || insmod "$MODULE"
}
defer restore

setup_ns TAP FAR || exit $ksft_skip

##############################################################################
# 1. The installed tree, alone

err=$(rmmod tapbridge 2>&1)
check_err $? "rmmod tapbridge: $err"
[ ! -d /sys/module/tapbridge ]
check_err $? "/sys/module/tapbridge is still there"
log_test "unload the build's tapbridge.ko"

# A tmpfs over /lib/modules (in the guest, virtme-ng's own tmpfs there
# or the host's trees of other kernels) gets a RELEASE directory of its
# own: the kernel's modules, if it has any, linked from the tree it had
# (kernel/, and the lists of built-in modules for depmod), then the dkms
# tree copied in. No tapbridge.ko but the installed one is in it, and
# /tmp is no place for an overlay's upper directory (the guest has an
# overlay there).
ORIG=
[ -e "/lib/modules/$RELEASE" ] && ORIG=$(readlink -f "/lib/modules/$RELEASE")
mount -t tmpfs -o mode=0755 tapbridge-autoload /lib/modules &&
MOUNTED=/lib/modules &&
mkdir "/lib/modules/$RELEASE"
check_err $? "tmpfs on /lib/modules"
if ((RET)); then
	# Nothing may be copied into the real tree.
	log_test "the dkms tree for $RELEASE alone in a tmpfs on /lib/modules"
	ktap_finish
fi
if [ -n "$ORIG" ]; then
	[ -d "$ORIG/kernel" ] && ln -s "$ORIG/kernel" "/lib/modules/$RELEASE/kernel"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -e "$ORIG/$f" ] && cp -L "$ORIG/$f" "/lib/modules/$RELEASE/"
	done
	ktap_print_msg "the kernel's own modules: $ORIG/kernel"
fi
cp -a "$MODROOT/." "/lib/modules/$RELEASE/" &&
depmod -a "$RELEASE" 2> "$TBR_TMP/depmod.err"
check_err $? "copy and depmod: $(cat "$TBR_TMP/depmod.err")"
log_test "the dkms tree for $RELEASE alone in a tmpfs on /lib/modules, depmod"

WANT=/lib/modules/$RELEASE/$KO
check_eq "modinfo -n tapbridge" "$(modinfo -n tapbridge 2>&1)" "$WANT"
check_eq "tapbridge.ko files for $RELEASE" \
	"$(find -L "/lib/modules/$RELEASE" -name 'tapbridge.ko*')" "$WANT"
check_eq "modprobe --show-depends $GENL_ALIAS" \
	"$(modprobe --show-depends "$GENL_ALIAS" 2>&1)" "insmod $WANT "
check_eq "modprobe --show-depends $RTNL_ALIAS" \
	"$(modprobe --show-depends "$RTNL_ALIAS" 2>&1)" "insmod $WANT "
log_test "modinfo, modprobe and both aliases resolve to $KO only"

check_eq "license" "$(modinfo -F license tapbridge)" GPL
check_eq "aliases" "$(modinfo -F alias tapbridge | sort | tr '\n' ' ')" \
	"$GENL_ALIAS $RTNL_ALIAS "
check_eq "vermagic" "$(modinfo -F vermagic tapbridge | cut -d' ' -f1)" "$RELEASE"
check_eq "name" "$(modinfo -F name tapbridge)" tapbridge
MODVERSION=$(modinfo -F version tapbridge)
if [ -n "$MODVERSION" ]; then
	check_eq "version" "$MODVERSION" "$VERSION"
else
	ktap_print_msg "tapbridge.ko has no MODULE_VERSION: no version to compare with debian/changelog's $VERSION"
fi
log_test "modinfo of the installed module: license GPL, both aliases, vermagic $RELEASE"

# The kernel starts the usermode helper named in /proc/sys/kernel/modprobe
# for request_module(): a wrapper that logs its arguments shows which
# alias the kernel asked for.
MODPROBE_LOG=$TBR_TMP/modprobe.log
cat > "$TBR_TMP/modprobe" <<EOF
#!/bin/sh
echo "\$*" >> $MODPROBE_LOG
exec $MODPROBE_SAVED "\$@"
EOF
chmod 755 "$TBR_TMP/modprobe"
: > "$MODPROBE_LOG"
echo "$TBR_TMP/modprobe" > /proc/sys/kernel/modprobe

check_eq "taptool on PATH" "$(command -v taptool)" "$INSTALLED_TAPTOOL"
check_eq "taptool -V" "$(taptool -V 2>&1 | tr '\n' ';')" \
	"taptool $VERSION;tapbridge module: not loaded;"
[ ! -d /sys/module/tapbridge ]
check_err $? "taptool -V loaded the module"
log_test "the installed taptool $VERSION says the module is not loaded, and leaves it so"

##############################################################################
# 2. Autoload

# loaded_is_installed WHAT: check that tapbridge is loaded, from the
# installed file.
loaded_is_installed()
{
	[ -d /sys/module/tapbridge ]
	check_err $? "$1: /sys/module/tapbridge is not there"
	check_eq "$1: initstate" "$(cat /sys/module/tapbridge/initstate 2>&1)" live
	check_eq "$1: build ID of the loaded module" "$(loaded_build_id)" "$INSTALLED_ID"
}

out=$(tt "$TAP" show 2>&1)
check_eq "taptool show: exit status" "$?" 0
check_eq "taptool show" "$out" ""
check_eq "the kernel's modprobe requests" "$(cat "$MODPROBE_LOG")" "-q -- $GENL_ALIAS"
loaded_is_installed "after taptool show"
log_test "the first taptool command (show) loads the installed module through the genl family alias"

out=$(taptool -V 2>&1)
check_eq "taptool -V, module" "$(sed -n 2p <<< "$out")" \
	"tapbridge module: ${MODVERSION:-loaded, no version}"
[[ $(sed -n 3p <<< "$out") == "tapbridge family: version "* ]]
check_err $? "taptool -V names no family version: $out"
log_test "taptool -V sees the module and its family"

err=$(modprobe -r tapbridge 2>&1)
check_err $? "modprobe -r tapbridge: $err"
[ ! -d /sys/module/tapbridge ]
check_err $? "/sys/module/tapbridge is still there"
log_test "modprobe -r tapbridge"

: > "$MODPROBE_LOG"
out=$(ip -n "$TAP" link add name tap9 type tapbridge 2>&1)
check_eq "ip link add type tapbridge: exit status" "$?" 2
check_eq "ip link add type tapbridge" "$out" \
	"Error: tapbridge instances are created with taptool (generic netlink family tapbridge)."
check_eq "the kernel's modprobe requests" "$(cat "$MODPROBE_LOG")" "-q -- $RTNL_ALIAS"
loaded_is_installed "after ip link add"
log_test "ip link add type tapbridge loads it through the rtnl-link alias, and is refused"

err=$(modprobe -r tapbridge 2>&1) && [ ! -d /sys/module/tapbridge ]
check_err $? "modprobe -r tapbridge: $err"
err=$(modprobe tapbridge 2>&1)
check_err $? "modprobe tapbridge: $err"
loaded_is_installed "after modprobe"
log_test "modprobe -r tapbridge, then modprobe tapbridge, from the installed tree"

##############################################################################
# 3. Frames through an instance of the installed module

PAIRS="pa:xa pb:xb m:y"
for pair in $PAIRS; do
	echo "link add name ${pair%:*} type veth peer name ${pair#*:} netns $FAR"
	echo "link set dev ${pair%:*} up"
done | ip_batch "$TAP" &&
for pair in $PAIRS; do
	echo "link set dev ${pair#*:} up"
done | ip_batch "$FAR"
check_err $? "cannot create the veth pairs"
out=$(tt "$TAP" add tap0 port-a pa port-b pb mode aggregate mirror m 2>&1)
check_err $? "taptool add: $out"
check_eq "master of pa" "$(link_field "$TAP" pa master)" tap0
check_eq "master of pb" "$(link_field "$TAP" pb master)" tap0
log_test "the installed taptool adds tap0 (aggregate, mirror m) on the installed module"

FRAMES=ipv4-udp,arp,vlan-8021q,stp-bpdu,lacpdu,mtu-1514
frames_check "installed a->b" --send "$FAR:xa" --frames "$FRAMES" \
	--expect "$FAR:xb,$FAR:y" --absent "$FAR:xa" \
	--stats "$TAP" --counters tap0:a_to_b:fwd,mirror
frames_check "installed b->a" --send "$FAR:xb" --frames "$FRAMES" \
	--expect "$FAR:xa,$FAR:y" --absent "$FAR:xb" \
	--stats "$TAP" --counters tap0:b_to_a:fwd,mirror

out=$(tt "$TAP" del tap0 2>&1)
check_err $? "taptool del: $out"
check_eq "taptool show" "$(tt "$TAP" show 2>&1)" ""
check_eq "master of pa" "$(link_field "$TAP" pa master)" none
check_eq "master of pb" "$(link_field "$TAP" pb master)" none
log_test "the installed taptool deletes tap0; the ports are released"

##############################################################################
# 4. Back to the build's module

err=$(modprobe -r tapbridge 2>&1)
check_err $? "modprobe -r tapbridge: $err"
restore
check_eq "mounts on /lib/modules" "$(awk '$2 == "/lib/modules" || $2 == "/usr/lib/modules"' /proc/self/mounts)" "$MOUNTS_SAVED"
[ -z "$MOUNTED" ]
check_err $? "$MOUNTED is still mounted"
check_eq "/proc/sys/kernel/modprobe" "$(cat /proc/sys/kernel/modprobe)" "$MODPROBE_SAVED"
check_eq "build ID of the loaded module" "$(loaded_build_id)" "$BUILD_ID"
log_test "restored: the build's tapbridge.ko loaded, /lib/modules and modprobe as before"

ktap_finish
