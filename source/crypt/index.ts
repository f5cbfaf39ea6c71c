export {CryptRemote, type CryptRemoteOptions} from './crypt-remote.js';
export {decryptedSize, encryptedSize, WRONG_PASSWORD_MESSAGE} from './format.js';
export {deriveKeys, RCLONE_DEFAULT_SALT, type CryptKeys} from './keys.js';
export type {FilenameEncoding} from './name-encodings.js';
export {NameCipher, UndecryptableNameError, type FilenameEncryption} from './names.js';
export {DecryptStream, EncryptStream} from './stream.js';
export {secretBox} from './secretbox.js';
