#!/usr/bin/env node
console.log('cloudsync');
