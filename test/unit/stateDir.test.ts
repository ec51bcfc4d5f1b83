// Where every face of Pictor (a VS Code window of any profile or build, the terminal command, the agent
// server) finds the per-user state folder, and with it the placeholder claims (src/core/stateDir.ts).
// The platform, environment and home folder are passed in: nothing here looks at the real home.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { claimsDir, pictorStateDir, type StateHost } from '../../src/core/stateDir';

const linux = (env: StateHost['env'] = {}): StateHost => ({ env, platform: 'linux', home: '/home/ada', cwd: '/work/site' });
const mac = (env: StateHost['env'] = {}): StateHost => ({ env, platform: 'darwin', home: '/Users/ada', cwd: '/Users/ada/site' });
const windows = (env: StateHost['env'] = {}): StateHost => ({ env, platform: 'win32', home: 'C:\\Users\\ada', cwd: 'D:\\site' });

describe('the per-user state folder every face finds', () => {
  it('Linux: ~/.local/state/pictor, or under $XDG_STATE_HOME', () => {
    assert.equal(pictorStateDir(linux()), '/home/ada/.local/state/pictor');
    assert.equal(pictorStateDir(linux({ XDG_STATE_HOME: '/var/state/ada' })), '/var/state/ada/pictor');
    // The XDG spec: an empty or relative value is ignored.
    assert.equal(pictorStateDir(linux({ XDG_STATE_HOME: '' })), '/home/ada/.local/state/pictor');
    assert.equal(pictorStateDir(linux({ XDG_STATE_HOME: 'state' })), '/home/ada/.local/state/pictor');
  });

  it('other Unixes follow the XDG spec as Linux does', () => {
    assert.equal(pictorStateDir({ ...linux(), platform: 'freebsd' }), '/home/ada/.local/state/pictor');
  });

  it('macOS: ~/Library/Application Support/pictor (XDG_STATE_HOME is not a macOS convention)', () => {
    assert.equal(pictorStateDir(mac()), '/Users/ada/Library/Application Support/pictor');
    assert.equal(pictorStateDir(mac({ XDG_STATE_HOME: '/tmp/xdg' })), '/Users/ada/Library/Application Support/pictor');
  });

  it('Windows: %LOCALAPPDATA%\\pictor, or AppData\\Local in the home folder', () => {
    assert.equal(pictorStateDir(windows({ LOCALAPPDATA: 'E:\\Profiles\\ada\\Local' })), 'E:\\Profiles\\ada\\Local\\pictor');
    assert.equal(pictorStateDir(windows()), 'C:\\Users\\ada\\AppData\\Local\\pictor');
    assert.equal(pictorStateDir(windows({ XDG_STATE_HOME: 'C:\\xdg' })), 'C:\\Users\\ada\\AppData\\Local\\pictor');
  });

  it('$PICTOR_STATE_DIR wins on every platform; a relative one is taken from the current folder', () => {
    assert.equal(pictorStateDir(linux({ PICTOR_STATE_DIR: '/srv/pictor', XDG_STATE_HOME: '/var/state/ada' })), '/srv/pictor');
    assert.equal(pictorStateDir(mac({ PICTOR_STATE_DIR: '/Volumes/ci/pictor' })), '/Volumes/ci/pictor');
    assert.equal(pictorStateDir(windows({ PICTOR_STATE_DIR: 'F:\\ci\\pictor', LOCALAPPDATA: 'E:\\Local' })), 'F:\\ci\\pictor');
    assert.equal(pictorStateDir(linux({ PICTOR_STATE_DIR: '.pictor-state' })), '/work/site/.pictor-state');
    assert.equal(pictorStateDir(windows({ PICTOR_STATE_DIR: 'state' })), 'D:\\site\\state');
    assert.equal(pictorStateDir(linux({ PICTOR_STATE_DIR: '' })), '/home/ada/.local/state/pictor', 'an empty value counts as unset');
  });

  it('the claims live in claims/ inside it, with the platform\'s separator', () => {
    assert.equal(claimsDir(linux()), '/home/ada/.local/state/pictor/claims');
    assert.equal(claimsDir(mac()), '/Users/ada/Library/Application Support/pictor/claims');
    assert.equal(claimsDir(windows()), 'C:\\Users\\ada\\AppData\\Local\\pictor\\claims');
    assert.equal(claimsDir(linux({ PICTOR_STATE_DIR: '/srv/pictor' })), '/srv/pictor/claims');
  });

  it('without a host given, it reads this process\'s environment', () => {
    const saved = process.env.PICTOR_STATE_DIR;
    process.env.PICTOR_STATE_DIR = '/nowhere/pictor-state-test';
    try {
      assert.equal(pictorStateDir(), path.resolve('/nowhere/pictor-state-test'));
      assert.equal(claimsDir(), path.join(path.resolve('/nowhere/pictor-state-test'), 'claims'));
    } finally {
      if (saved === undefined) delete process.env.PICTOR_STATE_DIR;
      else process.env.PICTOR_STATE_DIR = saved;
    }
  });
});
